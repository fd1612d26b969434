// A small HTTP server in front of a test registry, for the faults and auth flows a stock
// docker-registry does not show: blobs with a flipped byte, a bearer-token challenge.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';

export interface ProxyServer {
  readonly host: string;
  close(): Promise<void>;
}

/** `intercept` may answer a request itself (return true); everything else goes to `target`. */
export type Interceptor = (req: IncomingMessage, res: ServerResponse) => boolean;
export type BodyRewriter = (req: IncomingMessage, body: Buffer) => Buffer;

export async function startProxy(target: string, intercept: Interceptor = () => false, rewrite: BodyRewriter = (_req, body) => body): Promise<ProxyServer> {
  const server = http.createServer((req, res) => {
    if (intercept(req, res)) return;
    const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = rewrite(req, Buffer.concat(chunks));
        const headers = { ...answer.headers };
        delete headers['transfer-encoding'];
        if (req.method !== 'HEAD') headers['content-length'] = String(body.length);
        res.writeHead(answer.statusCode ?? 502, headers);
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
