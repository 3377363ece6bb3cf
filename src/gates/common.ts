// Small helpers shared by the gates: mapping rendered template paths to files of
// the repository, step status from findings, text tails, helm value paths.
import path from 'node:path'
import type { Finding, StepStatus } from '../types.js'
import { isRecord } from '../util/text.js'

/** A value path: keys of maps, indexes of lists (as in YamlSource.lineOf). */
export type ValuePath = (string | number)[]

/** Joins a chart-relative path onto the chart folder shown to people (posix separators). */
export function displayJoin(displayChartDir: string, relative: string): string {
  const dir = displayChartDir.split(path.sep).join('/').replace(/\/+$/, '')
  return dir === '' || dir === '.' ? relative : `${dir}/${relative}`
}

/**
 * The repository file of a rendered template: `<chart>/templates/x.yaml` →
 * `<displayChartDir>/templates/x.yaml`. Templates of subcharts
 * (`<chart>/charts/<dep>/...`) have no file in the repository (charts/ is built,
 * never committed): undefined.
 */
export function repoFileForSource(
  source: string | undefined,
  chartName: string,
  displayChartDir: string
): string | undefined {
  if (!source) return undefined
  const prefix = `${chartName}/`
  if (!source.startsWith(prefix)) return undefined
  const relative = source.slice(prefix.length)
  if (relative.startsWith('charts/') || relative.includes('..')) return undefined
  return displayJoin(displayChartDir, relative)
}

/** failed when any finding is an error, warning when any is a warning, else passed. */
export function statusOf(findings: readonly Finding[]): StepStatus {
  if (findings.some((f) => f.severity === 'error')) return 'failed'
  if (findings.some((f) => f.severity === 'warning')) return 'warning'
  return 'passed'
}

function escapeKey(key: string): string {
  return key.replace(/[\\.,=[\]]/g, (c) => `\\${c}`)
}

/** `a.b[0].c` as `--set` reads it (dots, commas, `=` and brackets in keys escaped). */
export function setPath(valuePath: readonly (string | number)[]): string {
  let out = ''
  for (const segment of valuePath) {
    if (typeof segment === 'number') out += `[${segment}]`
    else out += out === '' ? escapeKey(segment) : `.${escapeKey(segment)}`
  }
  return out
}

/** `a.b.c` (as written by people, e.g. in the observability-toggles input) → segments; `\.` keeps a dot in a key, `[n]` is a list index. */
export function parseDottedPath(text: string): ValuePath {
  const out: ValuePath = []
  let current = ''
  let pending = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\\' && i + 1 < text.length) {
      current += text[++i]
      pending = true
    } else if (c === '.') {
      if (pending) out.push(current)
      current = ''
      pending = false
    } else if (c === '[') {
      const close = text.indexOf(']', i)
      const index = close > i ? text.slice(i + 1, close) : ''
      if (/^\d+$/.test(index)) {
        if (pending) out.push(current)
        out.push(Number(index))
        current = ''
        pending = false
        i = close
      } else {
        current += c
        pending = true
      }
    } else {
      current += c
      pending = true
    }
  }
  if (pending) out.push(current)
  return out
}

/** Value at a path of plain data, or undefined. */
export function valueAt(data: unknown, valuePath: readonly (string | number)[]): unknown {
  let cur: unknown = data
  for (const segment of valuePath) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string | number, unknown>)[segment]
  }
  return cur
}

/**
 * helm's error message: the `Error: …` line of stderr with its indented
 * continuation lines (Helm 4 spreads template errors over several), joined into
 * one line; else the last non-empty line.
 */
export function helmErrorLine(stderr: string, stdout = ''): string {
  const text = stderr.trim() || stdout.trim()
  const lines = text.split('\n')
  const at = lines.findIndex((l) => l.startsWith('Error: '))
  if (at === -1)
    return (
      lines
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .pop() ?? ''
    )
  const parts = [lines[at].slice('Error: '.length).trim()]
  for (const line of lines.slice(at + 1)) {
    if (!/^\s+\S/.test(line)) break
    parts.push(line.trim())
  }
  return parts.join(' ')
}

/** `<chart>/templates/x.yaml:7` (or `…:7:12`) anywhere in a helm message. */
export function templateLocation(text: string, chartName: string): { source: string; line: number } | undefined {
  const escaped = chartName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const match = new RegExp(`(?:^|[\\s("'])(${escaped}/[^\\s:()"']+):(\\d+)`).exec(text)
  if (!match) return undefined
  return { source: match[1], line: Number(match[2]) }
}

/** Visits every mapping entry of a values tree, depth first; `visit` returns false to skip the entry's subtree. */
export function walkValues(
  node: unknown,
  visit: (key: string, value: unknown, at: ValuePath) => boolean | void,
  at: ValuePath = []
): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walkValues(item, visit, [...at, i]))
    return
  }
  if (!isRecord(node)) return
  for (const [key, value] of Object.entries(node)) {
    if (visit(key, value, at) !== false) walkValues(value, visit, [...at, key])
  }
}

/** `a.b.c: v` as nested YAML (`a:\n  b:\n    c: v`), for a copy-paste fix. */
export function nestedYaml(valuePath: ValuePath, valueText: string): string {
  const keys = valuePath.map((k) =>
    typeof k === 'number' ? `- ` : /^[A-Za-z_][\w.-]*$/.test(k) ? k : JSON.stringify(k)
  )
  if (valuePath.some((k) => typeof k === 'number')) return `${setPath(valuePath)}: ${valueText}`
  return keys.map((k, i) => `${'  '.repeat(i)}${k}:${i === keys.length - 1 ? ` ${valueText}` : ''}`).join('\n')
}
