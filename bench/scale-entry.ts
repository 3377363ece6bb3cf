// Entry of the bench's extra bundle (bench/rollup.bench.config.js): the render
// parser and the image functions of src/, which dist/index.js (one bundle) does
// not export. Built into bench/.cache/ by `npm run bench`; never shipped.
export { parseRenderDetailed, fastParseYaml } from '../src/helm/render.js'
export { extractImages, checkImages } from '../src/images/images.js'
export { imagesStep } from '../src/gates/images.js'
