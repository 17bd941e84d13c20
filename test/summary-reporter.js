/**
 * A Jest reporter that ends the run with one plain line, `jest: N passed, N failed[, N skipped]`,
 * which CI and people can read at a glance after cargo's own summaries.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${tail}\n`);
  }
}
module.exports = SummaryReporter;
