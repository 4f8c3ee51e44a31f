// The leaderboard, players and head-to-head pages on both phones, light and dark: see tests/support/phoneLayout.ts.
import { phoneLayoutSuite } from '../support/phoneLayout.js';

phoneLayoutSuite('league');
