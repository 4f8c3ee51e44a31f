// Every page at 320 px, light and dark: see tests/support/phoneLayout.ts.
import { PHONES, phoneLayoutSuite } from '../support/phoneLayout.js';

phoneLayoutSuite(PHONES[320]);
