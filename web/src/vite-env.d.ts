/// <reference types="vite/client" />

/** KaTeX's stylesheet with its fonts inlined (web/vite.config.ts, cli/katex.ts). */
declare module 'virtual:katex-css' {
  const css: string;
  export default css;
}
