import { pino, type Logger } from 'pino';

interface LoggedRequest {
  method?: string;
  url?: string;
}

/**
 * Structured logs that never carry personal data or secrets: requests are logged by method and path
 * only (mailed links put tokens in query strings), never with headers, cookies or client addresses.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    serializers: {
      req: (req: LoggedRequest) => ({ method: req.method, path: String(req.url ?? '').split('?')[0] }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
