export declare const scenario: { iterationInTest: number };
declare const _default: { scenario: { iterationInTest: number }; vu: { idInTest: number } };
export default _default;
