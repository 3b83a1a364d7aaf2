// One TGI simulator in a process of its own, so that its CPU is not counted
// as the gateway's and its event loop does not delay the gateway's.
//   node bench/procs/sim.ts '<SimulatorOptions as JSON>'
import './guard.ts';
import { startSimulator, type SimulatorOptions } from '../../src/simulator/index.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as Partial<SimulatorOptions>;
const simulator = await startSimulator({ host: '127.0.0.1', port: 0, ...options });
process.send?.({ type: 'ready', url: simulator.url });
