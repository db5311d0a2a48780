import { forEachConcurrent } from './concurrency';

test('forEachConcurrent runs every item once with at most `limit` in flight', async () => {
  let inFlight = 0;
  let peak = 0;
  const seen: number[] = [];
  await forEachConcurrent([...Array(50).keys()], 4, async (i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, i % 3));
    seen.push(i);
    inFlight--;
  });
  expect(seen.sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  expect(peak).toBe(4);
});

test('forEachConcurrent rejects when a step fails', async () => {
  await expect(forEachConcurrent([1, 2, 3], 2, (i) => (i === 2 ? Promise.reject(new Error('boom')) : Promise.resolve()))).rejects.toThrow('boom');
});
