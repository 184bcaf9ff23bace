import { userInfo } from 'node:os';
import pg from 'pg';

// libpq connects as the operating-system user when neither the URL nor PGUSER names
// one; node-postgres falls back to $USER only, which containers often leave unset.
// Every connection of this package goes through this module, so a URL without a user
// (the default DATABASE_URL) works with or without USER in the environment.
pg.defaults.user ??= process.env['PGUSER'] ?? userInfo().username;

export default pg;
