import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.ts';
import { createFieldCipher } from '../../crypto/field-cipher.ts';
import { systemClock } from '../../domain/clock.ts';
import { WEBHOOK_EVENT_TYPES } from '../../ops/webhooks/events.ts';
import { createWebhookRegistry, WebhookError } from '../../ops/webhooks/registry.ts';
import { withCheckedDatabase } from '../checked-database.ts';

const usage = `usage: playerpass webhooks <add|list|remove> [options]
  add --url URL --events TYPE[,TYPE…]|*   register an https:// endpoint; prints its signing secret once
  list                                    every webhook (removed ones marked)
  remove ID                               stop delivering to a webhook

event types: ${WEBHOOK_EVENT_TYPES.join(', ')}
Deliveries are POSTed as JSON with playerpass-signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>,
where timestamp is the playerpass-timestamp header.`;

const options = { url: { type: 'string' }, events: { type: 'string' } } as const;

/** `playerpass webhooks …`: 0 when done, 1 when the webhook to remove does not exist, 2 on bad usage. */
export async function webhooks(args: string[], print: (line: string) => void): Promise<number> {
  const [verb = '', ...rest] = args;
  let parsed: { url: string | undefined; events: string | undefined; id: string | undefined };
  try {
    if (!['add', 'list', 'remove'].includes(verb)) throw new WebhookError(`unknown webhooks command "${verb}"`);
    const { values, positionals } = parseArgs({ args: rest, options, strict: true, allowPositionals: verb === 'remove' });
    if (verb === 'add' && (!values.url || !values.events)) throw new WebhookError('add needs --url and --events');
    if (verb === 'remove' && positionals.length !== 1) throw new WebhookError('remove needs the webhook id');
    parsed = { url: values.url, events: values.events, id: positionals[0] };
  } catch (error) {
    print(`playerpass webhooks: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }

  const config = loadConfig();
  try {
    return await withCheckedDatabase(config, async (database, keyring) => {
      const registry = createWebhookRegistry({ db: database.db, cipher: createFieldCipher(keyring), clock: systemClock, allowHttp: config.webhooksAllowHttp });
      if (verb === 'add') {
        const { webhook, secret } = await registry.add({ url: parsed.url!, events: parsed.events!.split(',') });
        print(`webhook ${webhook.id}  ${webhook.url}  events ${webhook.events.join(',')}`);
        print(`signing secret (shown once, keep it in the receiver's secret store): ${secret}`);
        return 0;
      }
      if (verb === 'remove') {
        if (await registry.remove(parsed.id!)) {
          print(`webhook ${parsed.id} removed`);
          return 0;
        }
        print(`playerpass webhooks: no active webhook ${parsed.id}`);
        return 1;
      }
      const all = await registry.list();
      for (const webhook of all) {
        const state = webhook.disabledAt === null ? 'active' : `removed ${new Date(webhook.disabledAt).toISOString()}`;
        print(`${webhook.id}  ${webhook.url}  events ${webhook.events.join(',')}  ${state}`);
      }
      if (all.length === 0) print('no webhooks');
      return 0;
    });
  } catch (error) {
    if (!(error instanceof WebhookError)) throw error;
    print(`playerpass webhooks: ${error.message}`);
    return 2;
  }
}
