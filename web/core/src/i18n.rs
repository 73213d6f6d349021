//! Every word the app shows, in English and German. A message is an enum variant, so a
//! missing translation or a misspelt key fails the build, not the traveller.

use serde::{Deserialize, Serialize};

/// The languages the app speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Locale {
    #[default]
    En,
    De,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::De];

    /// The BCP 47 tag, for `<html lang>` and `Intl`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::De => "Deutsch",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "de" => Some(Self::De),
            _ => None,
        }
    }

    /// The first language the browser prefers that the app speaks, else English.
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Locale {
        preferred
            .into_iter()
            .find_map(Locale::from_tag)
            .unwrap_or_default()
    }
}

macro_rules! messages {
    ($($key:ident => $en:literal, $de:literal;)*) => {
        /// One message of the app's text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg { $($key),* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];

            /// The message in a language; `{0}`, `{1}` mark where [`Msg::fill`] puts values.
            pub fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $((Msg::$key, Locale::En) => $en, (Msg::$key, Locale::De) => $de,)*
                }
            }
        }
    };
}

impl Msg {
    /// The message with `{0}`, `{1}`, … replaced by `values` in order.
    pub fn fill(self, locale: Locale, values: &[&str]) -> String {
        let mut text = self.text(locale).to_owned();
        for (index, value) in values.iter().enumerate() {
            text = text.replace(&format!("{{{index}}}"), value);
        }
        text
    }
}

messages! {
    AppName => "Edge Airline", "Edge Airline";
    SkipToContent => "Skip to content", "Zum Inhalt springen";
    NavSearch => "Book a flight", "Flug buchen";
    NavTrips => "My trips", "Meine Reisen";
    NavProfile => "Profile", "Profil";
    NavSignIn => "Sign in", "Anmelden";
    NavSignOut => "Sign out", "Abmelden";
    NavMain => "Main", "Hauptmenü";
    Language => "Language", "Sprache";
    Loading => "Loading…", "Wird geladen …";
    Retry => "Try again", "Erneut versuchen";
    NotFoundTitle => "Page not found", "Seite nicht gefunden";
    NotFoundBody => "There is nothing at this address.", "Unter dieser Adresse gibt es nichts.";
    BackHome => "Back to the search", "Zurück zur Suche";
    NetworkError => "The connection failed. Check your network and try again.", "Die Verbindung ist fehlgeschlagen. Prüfen Sie Ihr Netzwerk und versuchen Sie es erneut.";
    InternalError => "Something went wrong on our side (reference {0}). Please try again.", "Bei uns ist etwas schiefgelaufen (Referenz {0}). Bitte versuchen Sie es erneut.";
    ErrorSummary => "Please correct the marked fields.", "Bitte korrigieren Sie die markierten Felder.";

    SearchTitle => "Where to next?", "Wohin als Nächstes?";
    SearchLead => "Fares for the whole party, times in each airport's local time.", "Preise für alle Reisenden, Zeiten in Ortszeit des jeweiligen Flughafens.";
    TripType => "Trip", "Reise";
    OneWay => "One way", "Nur Hinflug";
    RoundTrip => "Return", "Hin- und Rückflug";
    From => "From", "Von";
    To => "To", "Nach";
    SwapAirports => "Swap origin and destination", "Abflug und Ziel tauschen";
    AirportHint => "City, airport or code", "Stadt, Flughafen oder Code";
    NoAirports => "No airport matches", "Kein Flughafen gefunden";
    AirportsFound => "{0} airports found; use the arrow keys to choose.", "{0} Flughäfen gefunden; mit den Pfeiltasten auswählen.";
    Departure => "Departure", "Hinflug";
    ReturnDate => "Return", "Rückflug";
    Passengers => "Passengers", "Reisende";
    SearchButton => "Search flights", "Flüge suchen";
    ErrAirport => "Choose an airport from the list.", "Wählen Sie einen Flughafen aus der Liste.";
    ErrSameAirport => "Choose a destination other than the origin.", "Wählen Sie ein anderes Ziel als den Abflugort.";
    ErrDate => "Enter a date.", "Geben Sie ein Datum ein.";
    ErrPastDate => "Choose today or a later date.", "Wählen Sie heute oder ein späteres Datum.";
    ErrFarDate => "Flights are on sale up to a year ahead.", "Flüge sind bis zu einem Jahr im Voraus buchbar.";
    ErrReturnBefore => "The return cannot be before the departure.", "Der Rückflug kann nicht vor dem Hinflug liegen.";
    ErrPassengers => "1 to 9 passengers.", "1 bis 9 Reisende.";

    ResultsTitle => "{0} to {1}", "{0} nach {1}";
    OutboundFlights => "Outbound · {0}", "Hinflug · {0}";
    ReturnFlights => "Return · {0}", "Rückflug · {0}";
    PartyOfOne => "1 passenger", "1 Person";
    PartyOf => "{0} passengers", "{0} Personen";
    ChangeSearch => "Change search", "Suche ändern";
    SortBy => "Sort by", "Sortieren nach";
    SortPrice => "Lowest price", "Niedrigster Preis";
    SortDeparture => "Earliest departure", "Früheste Abflugzeit";
    SortDuration => "Shortest flight", "Kürzeste Flugdauer";
    Filters => "Filters", "Filter";
    DepartAfter => "Departs after", "Abflug ab";
    DepartBefore => "Departs before", "Abflug bis";
    MaxPrice => "Highest fare per person ({0})", "Höchstpreis pro Person ({0})";
    ApplyFilters => "Apply filters", "Filter anwenden";
    ClearFilters => "Clear", "Zurücksetzen";
    FlightFound => "1 flight", "1 Flug";
    FlightsFound => "{0} flights", "{0} Flüge";
    NoFlights => "No flights match this search. Try another date or fewer filters.", "Keine Flüge gefunden. Versuchen Sie ein anderes Datum oder weniger Filter.";
    ShowMore => "Show more flights", "Weitere Flüge anzeigen";
    NextDay => "+{0} day", "+{0} Tag";
    SeatsLeft => "Only {0} seats left", "Nur noch {0} Plätze";
    PerPerson => "per person", "pro Person";
    TotalFor => "total for {0}", "gesamt für {0}";
    Select => "Select", "Auswählen";
    Selected => "Selected", "Ausgewählt";
    SelectFlight => "Select flight {0} departing {1} in {2}", "Flug {0} um {1} in {2} auswählen";
    SelectedFlight => "Selected flight {0} departing {1} in {2}", "Ausgewählt: Flug {0} um {1} in {2}";
    CabinsFor => "Cabin for flight {0} departing {1}", "Kabine für Flug {0} um {1}";
    BrandsFor => "Fare for flight {0} departing {1}", "Tarif für Flug {0} um {1}";
    FromFare => "from {0}", "ab {0}";
    BrandLight => "Light", "Light";
    BrandStandard => "Standard", "Standard";
    BrandFlex => "Flex", "Flex";
    FareConditionsOf => "What {0} includes", "Was {0} enthält";
    NoCheckedBag => "No checked bag", "Kein Aufgabegepäck";
    OneCheckedBag => "1 checked bag", "1 Aufgabegepäckstück";
    TwoCheckedBags => "2 checked bags", "2 Aufgabegepäckstücke";
    NoRefund => "No refund", "Keine Erstattung";
    RefundLessFee => "Refund less {0}", "Erstattung abzüglich {0}";
    FullRefund => "Full refund", "Volle Erstattung";
    NoChanges => "No changes", "Keine Umbuchung";
    ChangesForFee => "Changes for {0}", "Umbuchung für {0}";
    FreeChanges => "Free changes", "Kostenlose Umbuchung";
    FareBrandLabel => "Fare", "Tarif";
    ContinueToSeats => "Continue to seats", "Weiter zur Sitzplatzwahl";
    ChooseOutboundFirst => "Choose an outbound flight to continue.", "Wählen Sie einen Hinflug, um fortzufahren.";
    ChooseReturnToo => "Choose a return flight to continue.", "Wählen Sie einen Rückflug, um fortzufahren.";
    Duration => "Duration", "Dauer";
    Aircraft => "Aircraft", "Flugzeug";

    SeatsTitle => "Choose your seats", "Sitzplätze wählen";
    ChangeSeats => "Change seats", "Sitzplätze ändern";
    ChangeSeatsTitle => "Change your seats", "Sitzplätze ändern";
    ChangeSeatsLead => "Choose a seat for each passenger in your cabin. Changing seats is free until check-in closes, an hour before departure.", "Wählen Sie einen Platz pro Person in Ihrer Kabine. Das Ändern ist kostenlos, bis der Check-in eine Stunde vor Abflug schließt.";
    SaveSeats => "Save seats", "Plätze speichern";
    SeatsChanged => "Seats changed: {0}.", "Plätze geändert: {0}.";
    BackToTrip => "Back to the trip", "Zurück zur Reise";
    SeatsLead => "Pick a seat for each passenger, or let us seat you together.", "Wählen Sie einen Platz pro Person oder lassen Sie uns Sie zusammen setzen.";
    SeatUsTogether => "Seat us together", "Zusammen sitzen";
    SeatsPicked => "{0} of {1} seats chosen", "{0} von {1} Plätzen gewählt";
    SeatFree => "free", "frei";
    SeatTaken => "taken", "belegt";
    SeatChosen => "chosen for passenger {0}", "gewählt für Person {0}";
    SeatWindow => "window", "Fenster";
    SeatAisle => "aisle", "Gang";
    SeatMiddle => "middle", "Mitte";
    SeatExit => "exit row", "Notausgang";
    Business => "Business", "Business";
    Economy => "Economy", "Economy";
    Cabin => "Cabin", "Kabine";
    SeatOtherCabin => "not in your cabin", "nicht in Ihrer Kabine";
    CabinYourFare => "{0} — your fare", "{0} – Ihr Tarif";
    CabinNotInFare => "{0} — not in your fare", "{0} – nicht in Ihrem Tarif";
    FareCabin => "Your fare: {0}", "Ihr Tarif: {0}";
    CabinNotSold => "This flight has no {0} cabin. Go back to the flights and choose another fare.", "Dieser Flug hat keine {0}-Kabine. Wählen Sie bei den Flügen einen anderen Tarif.";
    SeatMapOf => "Seat map, flight {0}", "Sitzplan, Flug {0}";
    SeatKeysHelp => "Arrow keys move between seats; Enter or Space chooses.", "Pfeiltasten wechseln den Platz; Eingabe oder Leertaste wählt.";
    Legend => "Legend", "Legende";
    NoSeatsTogether => "There are not enough free seats side by side; choose seats one by one.", "Nicht genug freie Plätze nebeneinander; bitte einzeln wählen.";
    ContinueToPassengers => "Continue to passengers", "Weiter zu den Reisenden";
    SkipSeats => "Skip: assign seats for me", "Überspringen: Plätze zuweisen";

    CheckoutTitle => "Passengers and payment", "Reisende und Zahlung";
    PassengerN => "Passenger {0}", "Person {0}";
    FirstName => "First name(s)", "Vorname(n)";
    LastName => "Last name", "Nachname";
    BirthDate => "Date of birth (optional)", "Geburtsdatum (optional)";
    ErrName => "Use 1 to 50 letters, spaces, hyphens, apostrophes or dots.", "1 bis 50 Buchstaben, Leerzeichen, Bindestriche, Apostrophe oder Punkte.";
    ErrBirthDate => "Enter a real date in the past, at most 120 years ago.", "Geben Sie ein echtes Datum der Vergangenheit ein (höchstens 120 Jahre).";
    Payment => "Payment", "Zahlung";
    CardNumber => "Card number", "Kartennummer";
    CardExpiry => "Expiry (MM/YY)", "Gültig bis (MM/JJ)";
    CardCvc => "Security code", "Prüfnummer";
    ErrCardNumber => "Enter the 16-digit card number.", "Geben Sie die 16-stellige Kartennummer ein.";
    ErrCardExpiry => "Enter the expiry as MM/YY, not in the past.", "Geben Sie das Ablaufdatum als MM/JJ ein, nicht in der Vergangenheit.";
    ErrCardCvc => "Enter the 3 or 4 digits on the back.", "Geben Sie die 3 oder 4 Ziffern auf der Rückseite ein.";
    Card => "Card", "Karte";
    CardFormUnavailable => "The card form could not load. Check your connection and reload the page.", "Das Kartenformular konnte nicht laden. Prüfen Sie Ihre Verbindung und laden Sie die Seite neu.";
    CardNotChecked => "The card could not be checked. Please try again.", "Die Karte konnte nicht geprüft werden. Bitte versuchen Sie es erneut.";
    TestCards => "Test cards", "Testkarten";
    TestCardsLead => "This is a sandbox: no real money moves. Any future expiry and any CVC work.", "Dies ist eine Testumgebung: Es fließt kein echtes Geld. Jedes künftige Ablaufdatum und jede Prüfnummer funktioniert.";
    CardSucceeds => "succeeds", "wird angenommen";
    CardDeclined => "is declined", "wird abgelehnt";
    CardNoFunds => "has insufficient funds", "hat keine Deckung";
    PriceSummary => "Price summary", "Preisübersicht";
    FareLine => "{0} × {1}", "{0} × {1}";
    ErrSeatsRefused => "These seats cannot be booked: {0}", "Diese Plätze können nicht gebucht werden: {0}";
    Total => "Total", "Gesamt";
    PayAndBook => "Pay {0} and book", "{0} zahlen und buchen";
    Paying => "Booking…", "Wird gebucht …";
    SignInToBook => "Sign in to book. Your choices are kept.", "Melden Sie sich zum Buchen an. Ihre Auswahl bleibt erhalten.";
    NothingToBook => "Nothing to book yet: start with a search.", "Noch nichts zu buchen: beginnen Sie mit einer Suche.";

    StatusTitle => "Your booking", "Ihre Buchung";
    Processing => "We are holding your seats and taking payment…", "Wir reservieren Ihre Plätze und buchen die Zahlung ab …";
    Confirmed => "Booked! Your reference is {0}", "Gebucht! Ihr Buchungscode lautet {0}";
    ConfirmedLead => "A confirmation is under My trips.", "Die Bestätigung finden Sie unter „Meine Reisen“.";
    BookingFailed => "This booking did not go through", "Diese Buchung ist nicht zustande gekommen";
    NothingCharged => "Nothing was charged and no seats are kept.", "Es wurde nichts abgebucht und keine Plätze reserviert.";
    FailDeclined => "Your card was declined. Try another card.", "Ihre Karte wurde abgelehnt. Versuchen Sie eine andere Karte.";
    FailPayment => "The payment could not be completed. Try again or use another card.", "Die Zahlung konnte nicht abgeschlossen werden. Versuchen Sie es erneut oder mit einer anderen Karte.";
    FailSoldOut => "The flight sold out while you were booking. Choose another flight.", "Der Flug wurde während Ihrer Buchung ausverkauft. Wählen Sie einen anderen Flug.";
    FailFlightCancelled => "The airline cancelled this flight. Nothing is charged; choose another flight.", "Die Fluggesellschaft hat diesen Flug annulliert. Es wird nichts berechnet; wählen Sie einen anderen Flug.";
    FailSeat => "A seat you chose was just taken. Pick your seats again.", "Ein gewählter Platz wurde gerade vergeben. Wählen Sie Ihre Plätze erneut.";
    FailExpired => "The seat hold ran out before payment finished. Please book again.", "Die Platzreservierung ist vor Abschluss der Zahlung abgelaufen. Bitte buchen Sie erneut.";
    FailOther => "The booking could not be completed. Please try again.", "Die Buchung konnte nicht abgeschlossen werden. Bitte versuchen Sie es erneut.";
    TryAnotherCard => "Try another card", "Andere Karte verwenden";
    BackToResults => "Back to the flights", "Zurück zu den Flügen";
    PickSeatsAgain => "Pick seats again", "Plätze neu wählen";
    StartOver => "New search", "Neue Suche";
    ViewTrip => "View this trip", "Reise anzeigen";

    TripsTitle => "My trips", "Meine Reisen";
    Upcoming => "Upcoming", "Bevorstehend";
    Past => "Past", "Vergangen";
    Cancelled => "Cancelled", "Storniert";
    NoTrips => "No trips here yet.", "Hier gibt es noch keine Reisen.";
    MoreTrips => "Show more trips", "Weitere Reisen anzeigen";
    Reference => "Reference", "Buchungscode";
    StatusConfirmed => "Confirmed", "Bestätigt";
    StatusCancelled => "Cancelled", "Storniert";
    StatusUnconfirmed => "Processing", "In Bearbeitung";
    TripDetail => "Trip {0}", "Reise {0}";
    Seats => "Seats", "Plätze";
    Paid => "Paid", "Bezahlt";
    CancelBooking => "Cancel booking", "Buchung stornieren";
    CancelConfirmTitle => "Cancel this booking?", "Diese Buchung stornieren?";
    CancelConfirmBody => "{0} will be refunded to your card and your seats released. Points earned with this booking are taken back.", "{0} werden auf Ihre Karte erstattet und Ihre Plätze freigegeben. Mit dieser Buchung gesammelte Punkte werden abgezogen.";
    KeepBooking => "Keep booking", "Buchung behalten";
    ConfirmCancel => "Yes, cancel and refund", "Ja, stornieren und erstatten";
    CancelledRefunded => "Cancelled. {0} is on its way back to your card.", "Storniert. {0} werden auf Ihre Karte zurückerstattet.";
    CancelConfirmNoRefund => "Your fare refunds nothing: you will get no money back. Your seats are released and points earned with this booking are taken back.", "Ihr Tarif wird nicht erstattet: Sie erhalten kein Geld zurück. Ihre Plätze werden freigegeben und mit dieser Buchung gesammelte Punkte abgezogen.";
    CancelRefundOf => "Under your fare's conditions, {0} of the {1} paid will be refunded to your card. Your seats are released and points earned with this booking are taken back.", "Nach den Bedingungen Ihres Tarifs werden {0} der bezahlten {1} auf Ihre Karte erstattet. Ihre Plätze werden freigegeben und mit dieser Buchung gesammelte Punkte abgezogen.";
    ConfirmCancelNoRefund => "Yes, cancel without refund", "Ja, ohne Erstattung stornieren";
    CancelledNoRefund => "Cancelled. Your fare refunds nothing.", "Storniert. Ihr Tarif wird nicht erstattet.";
    CancelReason => "Reason: {0}", "Grund: {0}";

    ProfileTitle => "Profile", "Profil";
    TierMember => "{0} member", "{0}-Mitglied";
    PointsBalance => "{0} points", "{0} Punkte";
    PointsPending => "{0} more on the way from bookings just made", "{0} weitere aus gerade gebuchten Reisen unterwegs";
    ToNextTier => "{0} points to {1}", "Noch {0} Punkte bis {1}";
    TopTier => "You are at the top tier.", "Sie haben die höchste Stufe erreicht.";
    TierProgress => "Progress to the next tier", "Fortschritt zur nächsten Stufe";
    PointsHistory => "Points history", "Punkteverlauf";
    NoPoints => "Book a flight to earn points: one per US dollar.", "Buchen Sie einen Flug, um Punkte zu sammeln: einen pro US-Dollar.";
    Earned => "Earned", "Gesammelt";
    Revoked => "Taken back", "Abgezogen";
    Expired => "Expired", "Verfallen";
    ForBooking => "Booking {0}", "Buchung {0}";
    MorePoints => "Show older entries", "Ältere Einträge anzeigen";
    AccountDetails => "Account", "Konto";
    Email => "Email", "E-Mail";
    Name => "Name", "Name";
    MemberSince => "Member since", "Mitglied seit";

    SignInTitle => "Sign in", "Anmelden";
    SignUpTitle => "Create an account", "Konto erstellen";
    Password => "Password", "Passwort";
    PasswordHint => "10 to 128 characters, not your email address.", "10 bis 128 Zeichen, nicht Ihre E-Mail-Adresse.";
    YourName => "Your name", "Ihr Name";
    SignInButton => "Sign in", "Anmelden";
    SignUpButton => "Create account", "Konto erstellen";
    NoAccount => "New here? Create an account", "Neu hier? Konto erstellen";
    HaveAccount => "Already have an account? Sign in", "Schon ein Konto? Anmelden";
    SignInNeeded => "Sign in to see this page.", "Melden Sie sich an, um diese Seite zu sehen.";
    ErrEmail => "Enter an email address like name@example.com.", "Geben Sie eine E-Mail-Adresse wie name@example.com ein.";
    ErrPassword => "Use 10 to 128 characters, not your email address.", "Verwenden Sie 10 bis 128 Zeichen, nicht Ihre E-Mail-Adresse.";
    ErrDisplayName => "Enter your name (up to 100 characters).", "Geben Sie Ihren Namen ein (bis zu 100 Zeichen).";
    ErrCredentials => "Email or password is wrong.", "E-Mail oder Passwort ist falsch.";
    ErrEmailTaken => "An account with this email exists. Sign in instead.", "Ein Konto mit dieser E-Mail existiert bereits. Melden Sie sich stattdessen an.";
    ErrRateLimited => "Too many attempts. Try again in {0} seconds.", "Zu viele Versuche. Versuchen Sie es in {0} Sekunden erneut.";
    SessionEnded => "Your session ended. Please sign in again.", "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.";
    TierBronze => "Bronze", "Bronze";
    TierSilver => "Silver", "Silber";
    TierGold => "Gold", "Gold";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_languages_pick_the_first_one_spoken() {
        assert_eq!(Locale::negotiate(["fr-FR", "de-CH", "en"]), Locale::De);
        assert_eq!(Locale::negotiate(["en-GB", "de"]), Locale::En);
        assert_eq!(Locale::negotiate(["DE"]), Locale::De);
        assert_eq!(Locale::negotiate(["ja", "fr"]), Locale::En);
        assert_eq!(Locale::negotiate([]), Locale::En);
    }

    #[test]
    fn every_message_has_both_languages_with_the_same_placeholders() {
        for message in Msg::ALL {
            let en = message.text(Locale::En);
            let de = message.text(Locale::De);
            assert!(
                !en.trim().is_empty() && !de.trim().is_empty(),
                "{message:?}"
            );
            for slot in ["{0}", "{1}", "{2}"] {
                assert_eq!(en.contains(slot), de.contains(slot), "{message:?} {slot}");
            }
        }
    }

    #[test]
    fn fill_replaces_each_placeholder() {
        assert_eq!(
            Msg::ResultsTitle.fill(Locale::De, &["London", "New York"]),
            "London nach New York"
        );
        assert_eq!(Msg::SeatsLeft.fill(Locale::En, &["3"]), "Only 3 seats left");
    }
}
