import { createRequire } from 'node:module';
import path from 'node:path';
import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/public.js';

const require = createRequire(import.meta.url);

/** A file inside an installed package, whatever the package's `exports` allow. */
function packageFile(pkg: string, file: string) {
  const marker = `${path.sep}node_modules${path.sep}${pkg}${path.sep}`;
  const entry = require.resolve(pkg);
  return entry.slice(0, entry.lastIndexOf(marker) + marker.length) + file;
}

/** Browser files served from node_modules, so the playground works with no network. */
const ASSETS: Record<string, string> = {
  'react.js': packageFile('react', 'umd/react.production.min.js'),
  'react-dom.js': packageFile('react-dom', 'umd/react-dom.production.min.js'),
  'graphiql.js': packageFile('graphiql', 'graphiql.min.js'),
  'graphiql.css': packageFile('graphiql', 'graphiql.min.css'),
  'graphql-ws.js': packageFile('graphql-ws', 'umd/graphql-ws.min.js'),
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>campaign-engine · GraphQL</title>
<link rel="stylesheet" href="/playground/assets/graphiql.css">
<style>body{margin:0;height:100vh}#graphiql{height:100vh}</style></head>
<body><div id="graphiql">Loading…</div>
<script src="/playground/assets/react.js"></script>
<script src="/playground/assets/react-dom.js"></script>
<script src="/playground/assets/graphql-ws.js"></script>
<script src="/playground/assets/graphiql.js"></script>
<script>
  const url = location.origin + '/graphql';
  const wsUrl = url.replace(/^http/, 'ws');
  const headersKey = 'graphiql:headers';
  const saved = JSON.parse(localStorage.getItem(headersKey) || '{}');
  const wsClient = graphqlWs.createClient({
    url: wsUrl,
    lazy: true,
    connectionParams: () => {
      const h = JSON.parse(localStorage.getItem(headersKey) || '{}');
      return { authorization: h.Authorization || h.authorization, organizationId: h['x-organization-id'] };
    },
  });
  const fetcher = GraphiQL.createFetcher({ url, wsClient });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: '# Set the headers below (a token and x-organization-id), then run:\\n{\\n  me { email }\\n  organization { name role }\\n  campaigns(first: 10) { totalCount edges { node { id name status } } }\\n}\\n',
      defaultHeaders: JSON.stringify(Object.keys(saved).length ? saved : { Authorization: 'Bearer <token>', 'x-organization-id': '<organization id>' }, null, 2),
      shouldPersistHeaders: true,
      onEditHeaders: (h) => { try { localStorage.setItem(headersKey, JSON.stringify(JSON.parse(h))); } catch {} },
    }),
  );
</script></body></html>`;

/** GraphiQL at /playground, with subscriptions over graphql-ws; every asset comes from node_modules. */
@Controller('playground')
export class PlaygroundController {
  @Public()
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page() {
    return PAGE;
  }

  @Public()
  @Get('assets/:name')
  @Header('Cache-Control', 'public, max-age=86400')
  asset(@Param('name') name: string, @Res() res: Response) {
    const file = ASSETS[name];
    if (!file) throw new NotFoundException();
    res.sendFile(file);
  }
}
