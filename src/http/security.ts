import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/** Security headers. The CSP allows no inline script or style: everything comes from /static. */
export function securityHeaders({ production }: { production: boolean }) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        manifestSrc: ["'self'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only where we are behind TLS; on localhost it would pin the browser to https.
    strictTransportSecurity: production ? { maxAge: 31536000, includeSubDomains: true } : false,
  });
}

/**
 * Behind Heroku's router or Fly's proxy, a request that reached them over plain HTTP is
 * sent to HTTPS. Requests with no X-Forwarded-Proto (health checks, local runs) pass.
 * The redirect goes only to a host the app knows: CANONICAL_HOST, or the request's own
 * host when ALLOWED_HOSTS lists it. Any other Host (or X-Forwarded-Host) gets a 400, so
 * nobody can make this site send a visitor elsewhere.
 */
export function redirectToHttps({ canonicalHost, allowedHosts }: { canonicalHost: string | null; allowedHosts: string[] }) {
  const allowed = new Set(allowedHosts.map((h) => h.toLowerCase()));
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!(req.get('x-forwarded-proto') && req.protocol === 'http')) return next();
    const asked = (req.hostname ?? '').toLowerCase();
    const host = canonicalHost ?? (allowed.has(asked) ? asked : null);
    if (!host) {
      res.status(400).render('errors/client.njk', {
        status: 400,
        message: 'This site answers only over HTTPS at its own address. Please type its https:// address.',
      });
      return;
    }
    res.redirect(301, `https://${host}${req.originalUrl}`);
  };
}
