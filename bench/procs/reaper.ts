// Kills the bench's children if the bench itself dies without cleaning up
// (kill -9, out of memory). It has to be a process of its own: nothing runs in
// a process after its SIGKILL. The bench tells it each child's pid as the child
// starts and again when it exits, so only live children are ever signalled.
const pids = new Set<number>();

process.on('message', (message: { watch?: number; forget?: number }) => {
  if (typeof message.watch === 'number') pids.add(message.watch);
  if (typeof message.forget === 'number') pids.delete(message.forget);
});

// A Ctrl-C reaches the whole process group: the bench cleans up itself then, and this
// process must outlive it to catch the case where that cleanup does not finish.
process.on('SIGINT', () => {});

process.on('disconnect', () => {
  const signal = (name: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {
        pids.delete(pid); // already gone
      }
    }
  };
  signal('SIGTERM');
  if (pids.size === 0) process.exit(0);
  setTimeout(() => {
    signal('SIGKILL');
    process.exit(0);
  }, 2000);
});
