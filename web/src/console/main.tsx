// The GraphQL console at /console/: GraphiQL against /query. Requests carry
// the session cookie; a user may instead put "Authorization: Bearer …" in
// the headers tab (not persisted). Subscriptions go over the shared
// same-origin WebSocket.
import './workers';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { webSocketClient } from '../api';
import 'graphiql/style.css';
import './console.css';

const fetcher = createGraphiQLFetcher({
  url: '/query',
  fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
  wsClient: webSocketClient(),
  enableIncrementalDelivery: false,
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} shouldPersistHeaders={false} />
  </StrictMode>,
);
