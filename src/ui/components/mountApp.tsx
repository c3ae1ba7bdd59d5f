import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../styles.css';
import { MeshStoreContext } from '../store/context';
import type { MeshStore } from '../store/meshStore';
import { App } from './App';

/** Renders the dashboard into `element`, reading only from `store`. Returns an unmount function. */
export function mountApp(element: HTMLElement, store: MeshStore): () => void {
  const root = createRoot(element);
  root.render(
    <StrictMode>
      <MeshStoreContext value={store}>
        <App />
      </MeshStoreContext>
    </StrictMode>,
  );
  return () => root.unmount();
}
