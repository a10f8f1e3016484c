import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll } from 'vitest';

/**
 * A dynalite (a real DynamoDB implementation) started before the file's tests and stopped after
 * them; `create` makes the tables the file needs.
 * @returns the client, once the tests run.
 */
export function dynaliteServer(create: (client: DynamoDBClient) => Promise<void>): () => DynamoDBClient {
  let server: Server | undefined;
  let client: DynamoDBClient | undefined;

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const address = listening.address();
    if (address === null || typeof address === 'string') throw new Error('dynalite has no TCP address');
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' },
    });
    await create(client);
  });

  afterAll(async () => {
    client?.destroy();
    const stopping = server;
    if (stopping !== undefined)
      await new Promise<void>((resolve, reject) =>
        stopping.close((error) => (error ? reject(error) : resolve())),
      );
  });

  return () => {
    if (client === undefined) throw new Error('dynalite is not started');
    return client;
  };
}
