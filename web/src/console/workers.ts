// Monaco (GraphiQL's editor) runs its language services in web workers.
// Vite bundles each worker into /assets/ through the `?worker` imports, so
// they load from the binary like every other asset, never from a CDN.
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';
import JsonWorker from 'monaco-editor/esm/vs/language/json/json.worker.js?worker';
import type { Environment } from 'monaco-editor';
import GraphQLWorker from 'monaco-graphql/esm/graphql.worker.js?worker';

const environment: Environment = {
  getWorker(_workerId, label) {
    switch (label) {
      case 'json':
        return new JsonWorker();
      case 'graphql':
        return new GraphQLWorker();
      default:
        return new EditorWorker();
    }
  },
};

window.MonacoEnvironment = environment;
