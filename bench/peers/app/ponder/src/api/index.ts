// Ponder requires an API file; the bench reads only Ponder's own /status and /ready routes.
import { Hono } from 'hono'

export default new Hono()
