/** Who is signed in on this phone. */
export interface Member {
  playerId: number;
  name: string;
}
