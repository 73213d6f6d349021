// Starts GraphiQL on /graphql. A file of its own, not an inline script, so the page's
// Content-Security-Policy can forbid inline scripts (the web build, xtask/src/web_build,
// copies it to /graphiql/graphiql-init.js next to GraphiQL and React).
"use strict";

const fetcher = GraphiQL.createFetcher({ url: "/graphql" });
const defaultQuery = `# Flights from London Heathrow to New York JFK.
# Change the date to a day within the next 60 days.
query Search($date: String!) {
  searchFlights(from: "LHR", to: "JFK", date: $date, passengers: 2, sort: PRICE, first: 5) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        flightNumber
        departure { local }
        arrival { local }
        arrivalDayOffset
        durationMinutes
        fare { formatted }
        seatsAvailable
      }
      totalPrice { formatted }
    }
  }
}`;
const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    defaultVariableEditorOpen: true,
    variables: JSON.stringify({ date: tomorrow }, null, 2),
  }),
);
