// The games, the hand forms, records, activity, export, sign-in and not-found pages on both phones, light and dark: see tests/support/phoneLayout.ts.
import { phoneLayoutSuite } from '../support/phoneLayout.js';

phoneLayoutSuite('games');
