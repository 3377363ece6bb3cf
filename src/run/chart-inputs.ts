// What the chart stages take from the inputs and the files beside the chart: the values arguments of every render
// and lint (inputs values, set, set-secret), and the `Chart files` step (a key written twice in Chart.yaml,
// values.yaml, blueprint.yaml or a values input file: chart/duplicate-keys.ts), which leads the steps.
import path from 'node:path'
import { chartFilesStep } from '../chart/duplicate-keys.js'
import { secretValueArgs } from '../inputs/secret-values.js'
import type { StepResult } from '../types.js'
import type { RunContext } from './context.js'

/** `--values`, `--set` and `--set-file` (set-secret) arguments for every render and lint. */
export async function valueArguments(ctx: Pick<RunContext, 'inputs' | 'folders'>): Promise<string[]> {
  const { inputs } = ctx
  return [
    ...inputs.valuesFiles.flatMap((file) => ['--values', path.resolve(inputs.workspace, file)]),
    ...inputs.setValues.flatMap((value) => ['--set', value]),
    ...(await secretValueArgs(ctx.folders.secretValues, inputs.setSecretValues))
  ]
}

/** The steps before any other: the chart files' duplicate keys, when there are any. */
export function leadingSteps(ctx: Pick<RunContext, 'blueprint'>): StepResult[] {
  const files = chartFilesStep(ctx.blueprint)
  return files ? [files] : []
}
