// Prints one plain closing line, `tests: N passed, N failed[, N skipped]`,
// after Jest's own summary, so any CI log reader sees the count.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests
    process.stdout.write(
      `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`
    )
  }
}
