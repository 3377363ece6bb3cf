// A git history for tests about a pull request's base and head (the rendered diff, hostile input): git with a
// fixed author, and a commit of everything in a folder.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** Runs git in `cwd` (argument array, no shell) with a fixed author and committer; its stdout, trimmed. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.invalid',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.invalid'
  }
  return (await execFileAsync('git', args, { cwd, env })).stdout.trim()
}

/** Commits everything in `cwd` (empty commits too) and returns the commit's sha. */
export async function commitAll(cwd: string, message: string): Promise<string> {
  await git(cwd, 'add', '-A')
  await git(cwd, 'commit', '-q', '--allow-empty', '-m', message)
  return git(cwd, 'rev-parse', 'HEAD')
}
