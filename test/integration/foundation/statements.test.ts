import { rows, statement } from '../../../src/db';
import { onServer, testDb } from '../../helpers/db';

const db = testDb();
afterAll(() => db.close());

const ANSWER = statement('test.statements.answer', 'SELECT $1::int + 1 AS n');

describe('prepared statements (src/db statement())', () => {
  it('answer like plain text, again and again, on every connection of the pool at once', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => rows<{ n: number }>(db.pool, ANSWER, [i])));
    expect(answers.map((r) => r[0]?.n)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it(onServer ? 'are prepared once per connection on a server' : 'are sent as text on the embedded engine, whose connections share one session', async () => {
    const client = await db.pool.connect();
    try {
      await rows(client, ANSWER, [1]);
      await rows(client, ANSWER, [2]);
      const prepared = await rows<{ name: string }>(client, "SELECT name FROM pg_prepared_statements WHERE name = 'test.statements.answer'");
      expect(prepared.map((p) => p.name)).toEqual(onServer ? ['test.statements.answer'] : []);
    } finally {
      client.release();
    }
  });
});
