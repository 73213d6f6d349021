// The raw baseline for scripts/bench.sh (see wrangler.toml here): each route is the least
// the platform needs for one thing the airline does, so the airline's numbers can be read
// as ratios of these, measured in the same run on the same machine.
//
//   GET  /healthz                          ready
//   GET  /search?from=&to=&start=&end=     one indexed D1 SELECT: the day's departures of
//                                          a route, with their airports (the airline's query)
//   POST /empty                            one call to a Durable Object that does nothing
//   POST /take?flight=&seats=&capacity=    one call to a Durable Object that takes `seats`
//                                          of `capacity` in its SQLite storage, or refuses

const SEARCH = `SELECT f.id, f.flight_number, f.departure_utc, f.arrival_utc,
    f.fare_amount, f.fare_currency, f.seat_capacity, f.seats_available, f.aircraft_type, f.status,
    o.code AS o_code, o.name AS o_name, o.city AS o_city, o.country AS o_country,
    o.time_zone AS o_time_zone, o.latitude AS o_latitude, o.longitude AS o_longitude,
    d.code AS d_code, d.name AS d_name, d.city AS d_city, d.country AS d_country,
    d.time_zone AS d_time_zone, d.latitude AS d_latitude, d.longitude AS d_longitude
  FROM flights f JOIN airports o ON o.code = f.origin JOIN airports d ON d.code = f.destination
  WHERE f.origin = ?1 AND f.destination = ?2 AND f.departure_utc >= ?3 AND f.departure_utc < ?4`;

export class EmptyObject {
  async fetch() {
    return new Response("ok");
  }
}

export class SeatObject {
  constructor(ctx) {
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS taken (seats INTEGER NOT NULL)");
  }

  async fetch(request) {
    const url = new URL(request.url);
    const seats = Number(url.searchParams.get("seats"));
    const capacity = Number(url.searchParams.get("capacity"));
    const sold = this.sql.exec("SELECT coalesce(sum(seats), 0) AS sold FROM taken").one().sold;
    if (sold + seats > capacity) {
      return Response.json({ taken: false, sold });
    }
    this.sql.exec("INSERT INTO taken (seats) VALUES (?)", seats);
    return Response.json({ taken: true, sold: sold + seats });
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const param = (name) => url.searchParams.get(name) ?? "";
    switch (url.pathname) {
      case "/healthz":
        return new Response("ok");
      case "/search": {
        const { results } = await env.DB.prepare(SEARCH)
          .bind(param("from"), param("to"), param("start"), param("end"))
          .all();
        return Response.json({ flights: results });
      }
      case "/empty":
        return env.EMPTY.get(env.EMPTY.idFromName("empty")).fetch(request);
      case "/take":
        return env.SEATS.get(env.SEATS.idFromName(param("flight"))).fetch(request);
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
