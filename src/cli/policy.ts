import type { Command } from './main.js';

/** `iamd policy …` (validate / eval / explain). */
export const policyCommand: Command = {
  summary: 'validate, evaluate and explain policies',
  async run(args) {
    console.error(`iamd policy: not built yet (${args.join(' ')})`);
    return 2;
  },
};
