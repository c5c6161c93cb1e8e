import { mount } from 'svelte'
import App from './App.svelte'
import { connectApi } from './api/client'
import { messageOf } from './api/rpc-error'
import { AppState } from './lib/state/app.svelte'
import './styles/app.css'

const app = new AppState(connectApi)
mount(App, { target: document.getElementById('app')!, props: { app } })

app.start().catch((err: unknown) => {
  app.loaded = true
  app.projectError = messageOf(err)
})
