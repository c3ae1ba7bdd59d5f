import { startTransition, useContext, useEffect, useRef, useState } from 'react';
import { MeshStoreContext } from './context';
import type { MeshState } from './meshStore';

/**
 * Reads from the store in context. The selector must return stable references (a slice
 * field, not a freshly built array); derive lists with useMemo in the component.
 *
 * Not `useSyncExternalStore`: React renders every update of an external store synchronously,
 * so a snapshot arriving in a transition would still block the page's message handlers for the
 * whole render. Here each component keeps the store state it last rendered in React state and
 * is told of a new one only when its selection changed. A store update made inside
 * `startTransition` (the feed's) thus renders time-sliced, yielding to the mesh every few
 * milliseconds; one made from a click renders at once. All components told by one store update
 * render together in one batch, so they never show two different states side by side.
 */
export function useMeshStore<T>(selector: (state: MeshState) => T): T {
  const store = useContext(MeshStoreContext);
  if (store === null) throw new Error('useMeshStore needs a MeshStoreContext provider (mountApp)');
  const [state, setState] = useState(store.getState);
  const selected = selector(state);
  const shown = useRef({ selector, selected });
  useEffect(() => {
    shown.current = { selector, selected };
    // A store update between this render and its commit, or a selector that changed with the
    // props, leaves this component behind the store: catch up (in the background).
    const now = store.getState();
    if (now !== state && !Object.is(selector(now), selected)) {
      startTransition(() => setState(now));
    }
  });
  useEffect(
    () =>
      store.subscribe((next) => {
        const { selector: pick, selected: was } = shown.current;
        if (!Object.is(pick(next), was)) setState(next);
      }),
    [store],
  );
  return selected;
}
