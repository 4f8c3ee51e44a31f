// Every page at 390 px, light and dark: see tests/support/phoneLayout.ts.
import { PHONES, phoneLayoutSuite } from '../support/phoneLayout.js';

phoneLayoutSuite(PHONES[390]);
