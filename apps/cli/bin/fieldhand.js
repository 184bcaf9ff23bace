#!/usr/bin/env node
// The operator CLI; it talks to the REST API, never to PostgreSQL or Redis directly.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
