import { DEFAULT_CONFIG } from '../../server/config';
import { childMain } from './benchChild';
import {
  addressHog,
  connectionStorm,
  idleConnections,
  pausedSenders,
  pausingFlooders,
  type AttackOutcome,
} from './signalingAbusers';
import { SignalingLoad, loopbackAddresses } from './signalingLoad';

export interface AttackInput {
  port: number;
  durationMs: number;
  stormAtMs: number;
}

/** Every attack of the hardening work at once, for `durationMs`, each from addresses of its own. */
async function attack(input: AttackInput): Promise<AttackOutcome[]> {
  const url = `ws://127.0.0.1:${input.port}`;
  const fullTopics = Array.from({ length: 8 }, (_, i) => `full-${i}`);
  // 256 sockets that hold eight topics at their subscriber limit and just listen.
  const fillers = await SignalingLoad.connect({
    wsUrl: url,
    clients: 256,
    topics: 1,
    publishesPerSecond: 1,
    addresses: loopbackAddresses(7, 4),
    subscribeTo: fullTopics,
  });
  const subscribeFull = JSON.stringify({ type: 'subscribe', topics: fullTopics });
  const attacks = [
    await pausedSenders(
      'topic-full answers to paused sockets',
      url,
      loopbackAddresses(6, 10),
      subscribeFull,
      190,
    ),
    await pausedSenders('garbage from a paused socket', url, loopbackAddresses(12, 1), 'x', 12_000),
    await pausedSenders('paused readers on busy topics', url, loopbackAddresses(13, 10), '', 0, [
      'load-0',
      'load-1',
    ]),
    idleConnections(input.port, loopbackAddresses(9, 21), 100),
    await addressHog(url, '127.0.8.1', 823, DEFAULT_CONFIG.maxSocketsPerAddress),
    await pausingFlooders(url, loopbackAddresses(10, 5)),
  ];
  await new Promise((resolve) => setTimeout(resolve, input.stormAtMs));
  const storm = await connectionStorm(url, loopbackAddresses(11, 14), 63, 5000);
  await new Promise((resolve) => setTimeout(resolve, input.durationMs - input.stormAtMs - 5000));
  const outcomes = [...attacks.map((one) => one.stop()), storm];
  fillers.close();
  return outcomes;
}

childMain(attack);
