import { MemoryStore } from 'express-session';
import { throttleTouches } from '../../src/http/sessionTouch';

test('a session is touched at most once per interval, each session on its own', async () => {
  const store = new MemoryStore();
  const touched: string[] = [];
  store.touch = (sid, _s, cb) => {
    touched.push(sid);
    cb?.();
  };
  throttleTouches(store, 50);
  const session = { cookie: { originalMaxAge: 1000, expires: new Date() } } as never;
  const touch = (sid: string) => new Promise<void>((r) => store.touch!(sid, session, () => r()));
  await touch('a');
  await touch('a');
  await touch('b');
  await touch('a');
  expect(touched).toEqual(['a', 'b']);
  await new Promise((r) => setTimeout(r, 60));
  await touch('a');
  expect(touched).toEqual(['a', 'b', 'a']);
});
