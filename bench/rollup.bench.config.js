// The bench's extra bundle: bench/scale-entry.ts (re-exports of src/ functions
// that dist/index.js keeps private) built with the same plugins as the action's
// rollup.config.js, so the bench times the same code the action runs.
//   npx rollup -c bench/rollup.bench.config.js   (bench/bench.mjs does this)
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'

export default {
  input: 'bench/scale-entry.ts',
  output: { file: 'bench/.cache/scale-bundle.mjs', format: 'es', sourcemap: false, inlineDynamicImports: true },
  plugins: [
    typescript({
      tsconfig: './tsconfig.build.json',
      include: ['src/**/*.ts', 'bench/scale-entry.ts'],
      // Type errors are the build's business (npm run build); the bench only needs the JavaScript.
      noEmitOnError: false,
      compilerOptions: { noCheck: true },
      outputToFilesystem: false
    }),
    nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
    commonjs(),
    json()
  ],
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return
    warn(warning)
  }
}
