// File-system helpers shared across src/.
import { access } from 'node:fs/promises'

/** Whether a path exists (any kind); false when it cannot be reached. */
export async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}
