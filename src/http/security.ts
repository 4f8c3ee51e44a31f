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
 */
export function redirectToHttps(req: Request, res: Response, next: NextFunction): void {
  if (req.get('x-forwarded-proto') && req.protocol === 'http') {
    res.redirect(301, `https://${req.hostname}${req.originalUrl}`);
    return;
  }
  next();
}
