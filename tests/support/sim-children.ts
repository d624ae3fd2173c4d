/**
 * Simulator child processes for one test file: each one started is stopped
 * after the file's tests, so a failing test leaves no process behind.
 */
import { after } from 'node:test';
import { SimChild, type SimChildOptions } from './load-sim.ts';

/** A SimChild.start whose children are stopped in an `after` hook of the calling file. */
export function simStarter(): (options?: SimChildOptions) => Promise<SimChild> {
  const started: SimChild[] = [];
  after(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });
  return async (options) => {
    const sim = await SimChild.start(options);
    started.push(sim);
    return sim;
  };
}
