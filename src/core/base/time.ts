/** Milliseconds on the host's clock (virtual in the simulator). Time enters the core only as input. */
export type Millis = number;
