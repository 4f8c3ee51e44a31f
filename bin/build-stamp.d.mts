export function sourcesHash(): string;
export function buildIsCurrent(): boolean;
