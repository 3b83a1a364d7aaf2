// Imported first by every process the bench forks from its own files: such a
// process ends with the bench, even when the bench dies without cleaning up.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
