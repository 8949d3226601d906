// Open-loop load: buyers arrive at a fixed rate whatever the answers take (as shoppers do), unlike the closed
// loop, whose buyers wait for their answer before starting again and so slow down with the mesh. Each arrival
// takes a free user (one user never has two checkouts in flight) and runs one purchase.

export interface Arrivals<T> {
  /** What each purchase that ran returned. */
  outcomes: T[];
  /** Arrivals that found no free user (the users were all busy): not run. */
  dropped: number;
  seconds: number;
}

export async function openLoop<T>(rate: number, seconds: number, users: number, purchase: (user: number) => Promise<T>): Promise<Arrivals<T>> {
  const free = Array.from({ length: users }, (_, u) => u);
  const outcomes: T[] = [];
  const running = new Set<Promise<void>>();
  let dropped = 0;
  const t0 = performance.now();
  const count = Math.max(1, Math.round(rate * seconds));
  for (let i = 0; i < count; i++) {
    // The i-th arrival's time from the start: no drift however late the timers fire.
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const user = free.pop();
    if (user === undefined) {
      dropped++;
      continue;
    }
    const p = purchase(user).then((o) => { outcomes.push(o); }).finally(() => {
      free.push(user);
      running.delete(p);
    });
    running.add(p);
  }
  await Promise.all(running);
  return { outcomes, dropped, seconds: (performance.now() - t0) / 1000 };
}
