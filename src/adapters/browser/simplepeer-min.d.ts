// The prebuilt browser bundle of simple-peer carries its own Node shims (Buffer, streams).
declare module 'simple-peer/simplepeer.min.js' {
  import SimplePeer from 'simple-peer';
  export default SimplePeer;
}
