/// <reference types="vitest/config" />
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

// The Go server the dev server forwards API calls to (`omnify serve`).
const apiTarget = process.env.OMNIFY_API_URL ?? 'http://127.0.0.1:8080'

// Vite empties dist/ before each build; dist/.gitkeep must survive so that
// `go build` (which embeds dist/) works in a clone that never built the app.
function keepGitkeep(): Plugin {
  return {
    name: 'omnify-keep-gitkeep',
    apply: 'build',
    closeBundle() {
      writeFileSync(resolve(import.meta.dirname, 'dist/.gitkeep'), '')
    },
  }
}

export default defineConfig({
  plugins: [react(), keepGitkeep()],
  server: {
    proxy: {
      '/v1': apiTarget,
      '/health': apiTarget,
      '/openapi.json': apiTarget,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: a separate chunk stays
        // cached across releases that only touch our code. The chart library
        // is left to the pages that import it, so it never joins the first load.
        codeSplitting: { groups: [{ name: 'vendor', test: /node_modules[\\/](?!echarts|zrender)/ }] },
      },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    setupFiles: ['src/test/setup.ts'],
  },
})
