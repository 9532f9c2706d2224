/** k6/execution: the test sets the iteration before each call. */
export const scenario = { iterationInTest: 0 };
export default { scenario, vu: { idInTest: 1 } };
