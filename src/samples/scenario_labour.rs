//! Scenario `labour-job-ads`: labour exploitation through a job advert in a diaspora group
//! (online-trafficking-greta.md §3.2 LB-xx, §7.7 S6/S7; networks-and-roles.md §1.2 roles).
//!
//! A recruiter ("Nelu") posts a too-good-to-be-true warehouse job in Romanian diaspora groups. A
//! recruit (Andrei, Lyon) answers by SMS, is sent to an "employer" reachable only on WhatsApp (a UK
//! number), is driven near Paris by a transporter (Marc), never gets a contract, and his wages are
//! paid into an account opened in his name but held by a money handler (Sabine), who passes a cash
//! fraction to him and a share to the recruiter. Seized: the recruit's iPhone, the recruiter's
//! Android phone, the money handler's laptop.

#![allow(clippy::too_many_arguments, clippy::type_complexity)]

use super::Scale;
use super::images::{Format, ImageSpec, Transform};
use super::plan::*;
use super::rng::Rng;
use super::story::{Builder, android_photo_names, camera, empty_plan, event, flow, mark_attributed, person, s};
use super::timefmt::paris_offset;

/// Scenario name.
pub const NAME: &str = "labour-job-ads";
/// Title.
pub const TITLE: &str = "Labour exploitation through a diaspora-group job advert";
/// Summary.
pub const SUMMARY: &str = "A recruiter posts a warehouse job (high pay, free transport and housing, no language needed) in \
Romanian diaspora groups; the recruit is passed to a WhatsApp-only 'employer', driven near Paris, gets no contract, and \
his wages land in an account held by a money handler. Three devices: the recruit's iPhone (TAR and ZIP), the recruiter's \
Android phone (TAR.GZ), the money handler's laptop (folder). Trainees link one person across devices (phone, WhatsApp JID, \
e-mail), tag roles, find the LB/FN/CT indicators and rebuild the money flow.";

// Person indexes.
const ANDREI: usize = 0;
const NELU: usize = 1;
const MARC: usize = 2;
const BOSS: usize = 3;
const SABINE: usize = 4;
const MIHAI: usize = 5;
const MAMA: usize = 6;
const RADU: usize = 7;
const OPERATOR: usize = 8;
// Device indexes.
const IPHONE: usize = 0;
const ANDROID: usize = 1;
const LAPTOP: usize = 2;

/// A French IBAN with valid check digits for a made-up bank code (99999 does not exist).
pub fn iban_fr(account: &str) -> String {
    let bban = format!("9999900001{account:0>11}47");
    let mut digits = String::new();
    for c in format!("{bban}FR00").chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            digits.push_str(&((c as u32 - 'A' as u32) + 10).to_string());
        }
    }
    let rem = digits.bytes().fold(0u64, |acc, d| (acc * 10 + u64::from(d - b'0')) % 97);
    let iban = format!("FR{:02}{bban}", 98 - rem);
    iban.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

const NOISE_RO: &[&str] = &[
    "Ai mâncat?", "Da, totul e bine ❤️", "Te sun diseară", "Ok 👍", "Mulțumesc!", "Ce faci?", "Bine, tu?", "Haha 😂",
    "Nu pot acum, te sun mai tarziu", "Vremea e urâtă azi 🌧️", "Poza de la nuntă a ieșit super 😍", "Noapte bună",
    "Ai văzut meciul?", "Trimite-mi rețeta te rog", "Sunt obosit azi", "Mersi mult", "Da da", "Pupici 😘", "la multi ani!!",
    "Unde esti?", "Am ajuns acasa", "Mâine e mai bine", "🙏🙏", "Ce mai face tata?", "Am fost la biserică",
];
const NOISE_FR: &[&str] = &[
    "Ça va ?", "Oui et toi ?", "À tout à l'heure", "Merci 🙂", "Bonne soirée", "On se voit demain ?", "Je suis en retard dsl",
    "Ok ça marche", "Il pleut encore 🌧️", "T'as vu le match ?", "Bisous", "Je t'appelle plus tard",
];
const NOISE_EN: &[&str] = &["ok", "👍", "Good morning", "Thanks", "See you", "Noted", "Call me later"];

/// Build the plan for `seed` and `scale`.
pub fn build(seed: u64, scale: Scale) -> Plan {
    let root = Rng::new(seed);
    // Day 0 (first contact): between 2024-03-04 and 2024-06-08, chosen by the seed.
    let day0 = 1_709_510_400 + (seed % 97) as i64 * 86_400;
    let mut persons = vec![
        person("P1", "Andrei", "Munteanu", &["victim", "recruit"], Some("+33699003120"), &["ro", "fr"]),
        person("P2", "Ionel", "Vasilescu", &["recruiter"], Some("+33699001234"), &["ro", "fr", "en"]),
        person("P3", "Marc", "Delaunay", &["transporter"], Some("+33699004567"), &["fr"]),
        person("P4", "Daniel", "Hale", &["exploiter", "employer-whatsapp-only"], Some("+447700900461"), &["en"]),
        person("P5", "Sabine", "Roux", &["money-handler"], Some("+33699008890"), &["fr"]),
        person("P6", "Mihai", "Popa", &["victim", "recruit"], Some("+33699005678"), &["ro"]),
        person("P7", "Elena", "Munteanu", &["family", "uninvolved"], Some("+33699007701"), &["ro"]),
        person("P8", "Radu", "Ionescu", &["friend", "uninvolved"], Some("+33699007702"), &["ro", "fr"]),
        person("P9", "InfoMobile", "", &["automated-sender"], None, &["fr"]),
    ];
    persons[ANDREI].whatsapp = true;
    persons[ANDREI].android_address = Some(s("0699003120"));
    persons[ANDREI].push_name = Some(s("Andrei"));
    persons[NELU].whatsapp = true;
    persons[NELU].email = Some(s("nelu.recrutement@example.com"));
    persons[NELU].push_name = Some(s("Nelu Muncă 🇫🇷"));
    persons[MARC].android_address = Some(s("06 99 00 45 67"));
    persons[BOSS].whatsapp = true;
    persons[BOSS].push_name = Some(s("DH Logistics"));
    persons[SABINE].email = Some(s("sabine.roux.compta@example.org"));
    persons[SABINE].android_address = Some(s("+33 6 99 00 88 90"));
    persons[MIHAI].whatsapp = true;
    persons[MIHAI].android_address = Some(s("0699005678"));
    persons[MIHAI].push_name = Some(s("Mihai P."));
    persons[OPERATOR].sender_id = Some(s("InfoMobile"));

    let devices = vec![
        Device { id: s("ios-andrei"), kind: DeviceKind::Ios, owner: ANDREI, make: s("Apple"), model: s("iPhone 12") },
        Device { id: s("android-nelu"), kind: DeviceKind::Android, owner: NELU, make: s("samsung"), model: s("SM-A525F") },
        Device { id: s("laptop-sabine"), kind: DeviceKind::Laptop, owner: SABINE, make: s("Lenovo"), model: s("ThinkPad E14") },
    ];
    let th = |key: &str, channel: Channel, members: &[usize]| Thread { key: s(key), channel, members: members.to_vec(), group: None };
    let mut threads = vec![
        th("T1", Channel::Sms, &[ANDREI, NELU]),
        th("T2", Channel::Sms, &[NELU, MARC]),
        th("T3", Channel::Sms, &[MARC, ANDREI]),
        th("T4", Channel::WhatsApp, &[BOSS, ANDREI]),
        th("T5", Channel::WhatsApp, &[BOSS, NELU]),
        th("T6", Channel::WhatsApp, &[NELU, ANDREI, MIHAI, BOSS]),
        th("T7", Channel::Sms, &[ANDREI, MAMA]),
        th("T8", Channel::IMessage, &[ANDREI, RADU]),
        th("T9", Channel::Sms, &[NELU, SABINE]),
        th("T10", Channel::Sms, &[OPERATOR, ANDREI]),
        th("T11", Channel::WhatsApp, &[NELU, ANDREI]),
    ];
    threads[5].group = Some(Group {
        name: s("Lucru Franța 🇫🇷"),
        jid: s("120363041987654321@g.us"),
        admin: NELU,
        created: day0 + 3 * 86_400 + 17 * 3600,
    });

    let plan = empty_plan(NAME, seed, scale, day0, persons, devices, threads);
    let mut b = Builder::new(&root, day0, plan);
    let (t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11) = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);

    // T1: recruit ↔ recruiter, SMS, Romanian.
    b.msg("first-contact", t1, ANDREI, (0, 9, 12), "ro", &[
        "Bună ziua, am văzut anunțul pe grupul Români în Franța. Mai căutați oameni?",
        "Bună ziua, am văzut anunțul din grupul Români în Franța. Mai e valabil?",
        "Salut, am vazut anuntul pe grup (Români în Franța), mai cautati oameni?",
    ], &["LB-08"]);
    b.msg("pay-offer", t1, NELU, (0, 9, 40), "ro", &[
        "Da, căutăm! Depozit, 2500€ pe lună net, nu trebuie să știi franceză.",
        "Sigur. Se câștigă 2.400 euro pe lună, nu ai nevoie de experiență și nici de limba franceză.",
        "Da frate, 2500 euro/lună, fără franceză, fără experiență, doar să fii serios 💪",
    ], &["LB-01", "LB-06"]);
    b.msg("free-housing", t1, NELU, (0, 9, 43), "ro", &[
        "Cazarea și transportul sunt gratuite, plus prime la final de lună.",
        "Transport gratis până acolo, cazare gratis, și bonusuri 🤑",
        "Nu plătești nimic: drum, cazare, totul e asigurat + prime.",
    ], &["LB-05"]);
    b.msg("", t1, ANDREI, (0, 10, 2), "ro", &["Suna foarte bine. Ce fel de munca exact? Unde anume?"], &[]);
    b.msg("vague-job", t1, NELU, (0, 10, 15), "ro", &[
        "Ambalare, sortare, de toate. Lângă Paris, adresa exactă o afli când ajungi.",
        "Muncă de depozit, vezi acolo. Locul exact nu contează acum.",
        "Ceva la depozit, lângă Paris. Detaliile le primești la fața locului.",
    ], &["LB-02", "LB-03"]);
    b.msg("whatsapp-only", t1, NELU, (0, 10, 16), "ro", &[
        "Pentru contract vorbești cu patronul doar pe WhatsApp: +44 7700 900461",
        "Patronul nu răspunde la telefon, doar pe WhatsApp: +44 7700 900461.",
        "Scrie-i patronului pe WhatsApp, +44 7700 900461, altfel nu-l prinzi.",
    ], &["LB-07", "LB-04"]);
    b.msg("", t1, ANDREI, (0, 10, 30), "ro", &["Ok, mulțumesc mult 🙏"], &[]);
    b.msg("wage-account", t1, NELU, (4, 18, 5), "ro", &[
        "Salariul vine în contul doamnei Sabine, e mai simplu pentru acte. Ea îți dă banii.",
        "Banii intră pe un cont deschis de Sabine, contabila noastră, și ți-i dă ea cash.",
        "Plata se face prin contul Sabinei, nu pe contul tău. Așa e procedura.",
    ], &["LB-14", "FN-04"]);
    b.msg("", t1, ANDREI, (4, 18, 20), "ro", &["De ce nu în contul meu? 🤔"], &[]);
    b.msg("", t1, NELU, (4, 18, 22), "ro", &["Așa se face la noi, nu-ți face griji 😉"], &[]);
    b.msg("id-request", t1, NELU, (6, 11, 0), "ro", &["Trimite-mi o poză cu buletinul, pt lista de transport."], &[]);
    let id_photo = b.msg("id-photo", t1, ANDREI, (6, 11, 31), "ro", &[""], &[]);
    b.attach(id_photo, "A1", "IMG_0007.JPG", Some((45.7597, 4.8422)), ImageSpec::procedural("A1", 320, 200, Format::Jpeg(80)));
    b.msg("no-contract", t1, ANDREI, (22, 20, 14), "ro", &[
        "Nelu, n-am semnat niciun contract și nici bani n-am primit. Ce se întâmplă?",
        "Nu avem contract, nu ne-a plătit nimeni de 3 săptămâni...",
        "Unde e contractul? Și salariul? N-am primit nimic.",
    ], &["LB-18"]);
    b.msg("", t1, NELU, (22, 20, 40), "ro", &["Răbdare, vin banii luna viitoare."], &[]);
    let police = b.msg("police", t1, ANDREI, (23, 7, 55), "ro", &["Dacă nu primesc banii merg la poliție."], &[]);
    b.plan.messages[police].fates.push((IPHONE, Fate::RecentlyDeleted));
    let threat = b.msg("threat", t1, NELU, (35, 21, 3), "ro", &[
        "Nu mai vorbi cu nimeni despre bani. Gândește-te la familia ta.",
        "Ai grijă ce vorbești. Știm unde stă mama ta.",
        "Stai cuminte și nu mai povesti nimănui. Familia ta e aproape, știi asta.",
    ], &["CT-05"]);
    b.plan.messages[threat].fates.push((ANDROID, Fate::Purged));
    b.plan.messages[threat].ios_attributed_only = true;

    // T2: recruiter ↔ transporter, SMS, French.
    b.msg("transport-order", t2, NELU, (6, 12, 10), "fr", &[
        "Marc, samedi deux gars à prendre à Lyon Perrache, 5h. Andrei et Mihai.",
        "Salut Marc, samedi 5h gare de Perrache, 2 personnes pour le dépôt.",
        "Marc t'es dispo samedi ? 2 à récupérer à Lyon, départ 5h.",
    ], &["CT-09"]);
    b.msg("transport-price", t2, MARC, (6, 12, 14), "fr", &["Ok. 150 par tête comme d'hab", "Ça marche, 150 par personne comme la dernière fois"], &["CT-09"]);
    b.msg("number-pass", t2, NELU, (6, 12, 20), "fr", &["Le numéro d'Andrei : 06 99 00 31 20"], &[]);
    b.msg("delivered", t2, MARC, (8, 17, 30), "fr", &["Livrés 👍", "C'est bon, déposés 👍"], &[]);
    b.msg("", t2, NELU, (8, 17, 35), "fr", &["Top. Tes 300 en liquide demain."], &[]);

    // T3: transporter ↔ recruit, SMS.
    b.msg("driver-intro", t3, MARC, (7, 19, 2), "fr", &["Bonjour, c'est Marc le chauffeur. Samedi 5h devant la gare Perrache. Pas de retard svp."], &[]);
    b.msg("", t3, ANDREI, (7, 19, 20), "fr", &["Ok merci, je serai la"], &[]);
    b.msg("", t3, ANDREI, (8, 4, 58), "fr", &["Sunt aici, devant la gare"], &[]);

    // T4: "employer" ↔ recruit, WhatsApp only, English.
    b.msg("employer-first", t4, ANDREI, (1, 8, 30), "en", &["Hello, Nelu gave me this number for the job in France."], &[]);
    b.msg("employer-vague", t4, BOSS, (1, 9, 2), "en", &[
        "Hi. Warehouse work, packing, everything explained when you arrive. Good money.",
        "Hello my friend. Logistics job, easy, details on site. Money is very good.",
        "Hi, yes. Packing and loading, we explain all there. You will earn well.",
    ], &["LB-02"]);
    b.msg("", t4, ANDREI, (1, 9, 10), "en", &["What is the adress of the company? I want to see the contract before"], &[]);
    b.msg("employer-no-address", t4, BOSS, (1, 9, 31), "en", &[
        "No need for address now, the driver brings you. Contract you sign there.",
        "Address I give later, driver knows. Contract on arrival.",
        "Don't worry about address. Driver takes you, you sign papers there.",
    ], &["LB-03"]);
    b.msg("placement-fee", t4, BOSS, (2, 10, 0), "en", &[
        "There is a 350 EUR placement fee, we take it from first salary.",
        "Agency fee is 350 euro, deducted from your first pay.",
        "You pay 350€ for the placement, we keep it from the first month.",
    ], &["LB-10"]);
    b.msg("", t4, ANDREI, (2, 10, 5), "en", &["ok 👍"], &[]);
    b.msg("", t4, BOSS, (25, 21, 15), "en", &["Tomorrow 6am to 8pm, no discussion."], &[]);
    b.msg("", t4, ANDREI, (25, 21, 16), "en", &["Ok"], &[]);

    // T5: "employer" ↔ recruiter, WhatsApp, English.
    b.msg("", t5, BOSS, (0, 7, 45), "en", &["How many for next week?"], &[]);
    b.msg("", t5, NELU, (0, 7, 50), "en", &["2 guys maybe 3. Romanians, strong, no problems"], &[]);
    b.msg("payroll-scheme", t5, BOSS, (0, 7, 52), "en", &[
        "Wages go to Sabine's accounts as usual. She pays them cash, minus housing and fee.",
        "Same as before: salaries on the accounts Sabine opens, she gives them cash after deductions.",
        "Payroll to Sabine's accounts, she handles the cash for them.",
    ], &["FN-04", "LB-14"]);
    b.msg("", t5, BOSS, (31, 20, 0), "en", &["Sabine sent your part?"], &[]);
    b.msg("recruiter-share", t5, NELU, (31, 20, 10), "en", &["Yes 600 received 👍", "Yes, got the 600"], &[]);

    // T6: WhatsApp group.
    b.msg("", t6, NELU, (3, 19, 0), "ro", &["Bun venit tuturor! 👋"], &[]);
    b.msg("", t6, MIHAI, (3, 19, 5), "ro", &["Salut, eu sunt Mihai"], &[]);
    b.msg("", t6, ANDREI, (3, 19, 6), "ro", &["Salut 😊"], &[]);
    b.msg("group-free-transport", t6, NELU, (3, 19, 10), "ro", &[
        "Plecăm sâmbătă. Transport și cazare asigurate, gratis.",
        "Sâmbătă plecarea! Drumul și cazarea sunt pe firmă.",
        "Plecare sâmbătă, nu plătiți nimic pentru drum și cazare.",
    ], &["LB-05"]);
    b.msg("", t6, MIHAI, (3, 19, 12), "ro", &["Trebuie să aduc ceva?"], &[]);
    b.msg("", t6, NELU, (3, 19, 13), "ro", &["Doar buletinul și haine de lucru."], &[]);
    b.msg("", t6, BOSS, (3, 19, 20), "en", &["Welcome guys 👍"], &[]);
    let revoked = b.msg("revoked", t6, NELU, (5, 9, 0), "ro", &["Mâine confirm ora."], &[]);
    b.plan.messages[revoked].fates = vec![(IPHONE, Fate::Revoked), (ANDROID, Fate::Revoked)];
    b.msg("lodging", t6, MIHAI, (9, 22, 10), "ro", &["Am ajuns. Camera e mica, suntem 8 😕"], &[]);
    b.msg("", t6, ANDREI, (9, 22, 12), "ro", &["Da... vedem mâine"], &[]);

    // T7: recruit ↔ mother.
    b.noise(t7, MAMA, (-2, 19, 0), "ro", "Ai mâncat, puiule?");
    b.noise(t7, ANDREI, (-2, 19, 4), "ro", "Da mamă, totul e bine ❤️");
    b.msg("", t7, ANDREI, (1, 20, 0), "ro", &["Mamă, am găsit de lucru lângă Paris, 2500 pe lună!"], &[]);
    b.msg("", t7, MAMA, (1, 20, 3), "ro", &["Ai grijă de tine, să nu fie vreo țeapă"], &[]);
    b.noise(t7, ANDREI, (9, 21, 0), "ro", "Am ajuns, e ok");
    b.msg("mother-no-pay", t7, ANDREI, (22, 21, 0), "ro", &[
        "Mamă, încă nu m-au plătit și nici contract n-am.",
        "Nu ne-au dat banii, mamă. Niciun contract.",
        "Încă nimic, nici salariu, nici contract...",
    ], &["LB-18"]);
    b.noise(t7, MAMA, (22, 21, 5), "ro", "Vino acasă dacă nu e bine 😢");

    // T8: recruit ↔ friend, iMessage.
    b.noise(t8, RADU, (-4, 18, 0), "ro", "Ce faci frate?");
    b.noise(t8, ANDREI, (-4, 18, 2), "ro", "Bine, tu? Caut de lucru");
    b.noise(t8, RADU, (-4, 18, 3), "ro", "Meciul de azi? ⚽");
    b.noise(t8, ANDREI, (10, 20, 30), "fr", "Ça va la-bas, beaucoup de travail");
    b.noise(t8, RADU, (10, 20, 35), "fr", "Courage mon frère 💪");

    // T9: recruiter ↔ money handler, SMS, French.
    b.msg("accounts-request", t9, NELU, (4, 17, 40), "fr", &[
        "Sabine, deux nouveaux lundi. Tu peux préparer les comptes ?",
        "Deux gars arrivent, il faut les comptes comme d'habitude.",
        "Prépare 2 comptes stp, Andrei et Mihai, ils arrivent samedi.",
    ], &["FN-04"]);
    b.msg("accounts-opened", t9, SABINE, (4, 17, 55), "fr", &[
        "Oui, j'ouvre deux comptes en ligne à leur nom, je garde les cartes.",
        "Ok, comptes en ligne à leurs noms, cartes chez moi comme d'hab.",
        "Je m'en occupe : deux comptes néo-banque, les cartes restent au bureau.",
    ], &["FN-04", "LB-14"]);
    b.msg("wages-received", t9, SABINE, (30, 18, 0), "fr", &["Virements reçus pour les deux. Je te fais ta part ce soir."], &["FN-04"]);
    b.msg("fee-deduction", t9, NELU, (31, 9, 10), "fr", &[
        "N'oublie pas de retenir les 350 de frais pour chacun.",
        "Retiens bien les 350 d'agence sur chaque paie.",
        "Les 350 de placement, tu les enlèves à chacun.",
    ], &["LB-10"]);
    b.noise(t9, SABINE, (31, 9, 12), "fr", "Oui bien sûr.");

    // T10: operator notices.
    b.noise(t10, OPERATOR, (-3, 10, 0), "fr", "InfoMobile : votre forfait a été renouvelé. Solde : 20 Go.");
    b.noise(t10, OPERATOR, (15, 10, 0), "fr", "InfoMobile : vous avez consommé 80% de votre enveloppe data.");

    // T11: recruiter ↔ recruit on WhatsApp.
    b.msg("on-the-road", t11, NELU, (8, 6, 10), "ro", &["Ai plecat? Marc zice că sunteți pe drum."], &[]);
    b.msg("", t11, ANDREI, (8, 6, 12), "ro", &["Da, suntem în mașină 🚐"], &[]);

    // Background noise, more of it at large scale.
    let mut nr = root.fork("noise");
    let per_thread = match scale {
        Scale::Small => 3,
        Scale::Large => 60,
    };
    for _ in 0..per_thread {
        let day = nr.range(-5, 38);
        let (h, m) = (nr.range(7, 22), nr.range(0, 59));
        let from = if nr.chance(0.5) { ANDREI } else { MAMA };
        let text = *nr.pick(NOISE_RO);
        b.noise(t7, from, (day, h, m), "ro", text);
        let from = if nr.chance(0.5) { ANDREI } else { RADU };
        let (lang, pool) = if nr.chance(0.7) { ("ro", NOISE_RO) } else { ("fr", NOISE_FR) };
        let text = *nr.pick(pool);
        b.noise(t8, from, (nr.range(-5, 38), nr.range(7, 23), nr.range(0, 59)), lang, text);
        let from = *nr.pick(&[NELU, ANDREI, MIHAI, BOSS]);
        let (lang, pool) = if from == BOSS { ("en", NOISE_EN) } else { ("ro", NOISE_RO) };
        let text = *nr.pick(pool);
        b.noise(t6, from, (nr.range(4, 38), nr.range(7, 23), nr.range(0, 59)), lang, text);
    }

    // Sort messages by time, give final keys, resolve labels.
    let labels = b.finish_messages();
    let k = |l: &str| labels.get(l).cloned().unwrap_or_else(|| format!("?{l}"));
    // The iMessage thread is attributedBody-only (as on iOS 16+); a share of later SMS too.
    mark_attributed(&mut b.plan, &root, day0, 20);

    // Calls.
    b.call("C01", ANDREI, NELU, (0, 10, 40), 240, CallChannel::Phone, false);
    b.call("C02", ANDREI, BOSS, (2, 10, 10), 185, CallChannel::WhatsApp, false);
    b.call("C03", BOSS, NELU, (5, 8, 0), 95, CallChannel::WhatsApp, false);
    b.call("C04", NELU, MARC, (6, 12, 5), 130, CallChannel::Phone, false);
    b.call("C05", MARC, ANDREI, (8, 4, 50), 45, CallChannel::Phone, false);
    b.call("C06", NELU, ANDREI, (23, 8, 10), 0, CallChannel::Phone, false);
    b.call("C07", SABINE, NELU, (30, 18, 5), 300, CallChannel::Phone, false);
    let mut cr = root.fork("calls");
    let extra_calls = match scale {
        Scale::Small => 4,
        Scale::Large => 40,
    };
    for i in 0..extra_calls {
        let other = if cr.chance(0.6) { MAMA } else { RADU };
        let (from, to) = if cr.chance(0.5) { (ANDREI, other) } else { (other, ANDREI) };
        let dur = if cr.chance(0.85) { cr.range(20, 1500) } else { 0 };
        let when = (cr.range(-5, 38), cr.range(8, 22), cr.range(0, 59));
        b.call(&format!("C{:02}", 8 + i), from, to, when, dur, CallChannel::Phone, true);
    }
    b.plan.calls.sort_by_key(|c| c.t);

    // Address books. On the iPhone the three newest entries exist only in the -wal.
    b.contact(IPHONE, MAMA, "Mama", "", Some("+33 6 99 00 77 01"), None, -30, false);
    b.contact(IPHONE, RADU, "Radu", "Ionescu", Some("06 99 00 77 02"), None, -20, false);
    b.contact(IPHONE, NELU, "Nelu", "Muncă Franța", Some("+33 6 99 00 12 34"), None, 0, false);
    b.contact(IPHONE, BOSS, "Patron", "UK", Some("+44 7700 900461"), None, 1, true);
    b.contact(IPHONE, MIHAI, "Mihai", "grup", Some("+33 6 99 00 56 78"), None, 3, true);
    b.contact(IPHONE, MARC, "Marc", "Șofer", Some("06 99 00 45 67"), None, 7, true);
    b.contact(ANDROID, SABINE, "Sabine", "compta", Some("+33 6 99 00 88 90"), Some("sabine.roux.compta@example.org"), -60, false);
    b.contact(ANDROID, MARC, "Marc", "transport", Some("06 99 00 45 67"), None, -45, false);
    b.contact(ANDROID, BOSS, "Boss", "", Some("+447700900461"), None, -40, false);
    b.contact(ANDROID, ANDREI, "Andrei", "RO", Some("0699003120"), None, 0, false);
    b.contact(ANDROID, MIHAI, "Mihai", "P", Some("0699005678"), None, 2, false);

    // Browser history.
    b.visit(IPHONE, (-1, 21, 30), "https://search.example.com/search?q=munca+in+franta+cu+cazare", "munca in franta cu cazare - Search", true, Some("munca in franta cu cazare"), &[], false);
    b.visit(IPHONE, (-1, 21, 33), "https://social.example.com/groups/romani-in-franta/posts/8812", "Angajăm urgent – depozit Franța, 2500€, cazare gratuită", false, None, &["LB-01", "LB-05", "LB-08"], false);
    b.visit(IPHONE, (9, 21, 0), "https://maps.example.com/?q=48.9601,2.8843", "Hartă", false, None, &[], false);
    b.visit(IPHONE, (22, 22, 30), "https://search.example.com/search?q=drepturi+muncitor+fara+contract+franta", "drepturi muncitor fara contract franta - Search", true, Some("drepturi muncitor fara contract franta"), &["LB-18"], false);
    b.visit(IPHONE, (23, 7, 40), "https://www.example.org/aide-travailleurs", "Aide aux travailleurs exploités – numéro gratuit", false, None, &[], false);
    b.visit(ANDROID, (-2, 20, 0), "https://social.example.com/groups/romani-in-franta", "Români în Franța", true, None, &["LB-08"], false);
    b.visit(ANDROID, (-2, 20, 5), "https://social.example.com/groups/romani-in-franta/compose", "Publică în grup", false, None, &["LB-08"], false);
    b.visit(ANDROID, (-2, 20, 12), "https://social.example.com/groups/romani-in-franta/posts/8812", "Angajăm urgent – depozit Franța, 2500€, cazare gratuită", false, None, &["LB-01", "LB-05", "LB-08"], false);
    b.visit(ANDROID, (-2, 20, 20), "https://social.example.com/groups/locuri-de-munca-diaspora/posts/4410", "Angajăm urgent – depozit Franța, 2500€, cazare gratuită", false, None, &["LB-01", "LB-05", "LB-08"], false);
    b.visit(ANDROID, (5, 22, 0), "https://search.example.com/search?q=transport+persoane+lyon+paris+ieftin", "transport persoane lyon paris ieftin - Search", true, Some("transport persoane lyon paris ieftin"), &["CT-09"], false);
    b.visit(LAPTOP, (3, 14, 0), "https://search.example.com/search?q=ouvrir+compte+en+ligne+rapidement+sans+justificatif", "ouvrir compte en ligne rapidement sans justificatif - Recherche", true, Some("ouvrir compte en ligne rapidement sans justificatif"), &["FN-04"], false);
    b.visit(LAPTOP, (3, 14, 5), "https://neobanque.example.com/ouvrir-un-compte", "Ouvrir un compte en 5 minutes – NéoBanque", false, None, &[], false);
    b.visit(LAPTOP, (30, 17, 50), "https://neobanque.example.com/espace/virements", "Mes virements – NéoBanque", true, None, &[], false);
    let mut vr = root.fork("visits");
    let extra_visits = match scale {
        Scale::Small => 3,
        Scale::Large => 50,
    };
    let noise_sites: &[(&str, &str)] = &[
        ("https://news.example.com/", "Actualités"),
        ("https://meteo.example.org/lyon", "Météo Lyon"),
        ("https://video.example.com/watch?v=fotbal", "Rezumat meci"),
        ("https://recipes.example.org/sarmale", "Sarmale – rețetă"),
        ("https://shop.example.com/telefoane", "Telefoane ieftine"),
        ("https://sport.example.com/liga1", "Liga 1 – rezultate"),
    ];
    for dev in [IPHONE, ANDROID, LAPTOP] {
        for _ in 0..extra_visits {
            let (url, title) = *vr.pick(noise_sites);
            let when = (vr.range(-6, 38), vr.range(7, 23), vr.range(0, 59));
            let typed = vr.chance(0.3);
            b.visit(dev, when, url, title, typed, None, &[], true);
        }
    }
    b.plan.visits.sort_by_key(|v| (v.device, v.t));

    // Camera rolls. The lodging is photographed from both phones: the recruiter's picture is a
    // tighter crop of the same scene (near-duplicate group); the other photos are distinct.
    let b_street = b.base("street in Lyon (background)");
    let b_lodging = b.base("lodging: prefab house next to the warehouse");
    let b_bay = b.base("warehouse loading bay");
    let b_room = b.base("room with eight mattresses");
    let b_car = b.base("car in a car park (background)");
    b.photo(IPHONE, "IMG_0004.JPG", (-5, 15, 20), Some((45.7640, 4.8357)), "street in Lyon (background)", camera(b_street));
    b.photo(IPHONE, "IMG_0009.JPG", (9, 8, 15), Some((48.9601, 2.8843)), "lodging: prefab house next to the warehouse", camera(b_lodging));
    b.photo(IPHONE, "IMG_0011.JPG", (10, 12, 40), Some((48.9614, 2.8901)), "warehouse loading bay", camera(b_bay));
    b.photo(IPHONE, "IMG_0015.JPG", (20, 21, 5), Some((48.9602, 2.8845)), "room with eight mattresses", camera(b_room));
    b.photo(ANDROID, "20240101_120000.jpg", (-2, 12, 0), Some((45.7500, 4.8500)), "car in a car park (background)", camera(b_car));
    b.photo(ANDROID, "20240101_120001.jpg", (9, 7, 30), Some((48.9601, 2.8843)), "lodging seen from the road", ImageSpec::base(b_lodging, vec![Transform::Crop { percent: 80 }, Transform::Fit { width: 480, height: 360 }], Format::Jpeg(88)));
    android_photo_names(&mut b.plan);

    // Money.
    let acct_andrei = iban_fr("00000312001");
    let acct_mihai = iban_fr("00000567801");
    let acct_nelu = iban_fr("00000123401");
    let pay_day = b.at(30, 11, 0);
    let next_day = b.at(31, 19, 0);
    let csv_path = "Users/sabine/Documents/Paie/paiements.csv";
    let t_transport = b.at(9, 18, 0);
    b.plan.money = vec![
        flow("F1", t_transport, "P2", "P3", None, None, 30_000, "EUR", "cash", "transport of two recruits (150 per head)", &["CT-09"], vec![k("transport-price")]),
        flow("F2", pay_day, "SARL Entrepôt Exemple", "P1", Some(&acct_andrei), Some("P5"), 184_000, "EUR", "bank-transfer", "wages of P1 paid into an account held by P5", &["FN-04", "LB-14"], vec![k("wages-received"), s(csv_path)]),
        flow("F3", pay_day, "SARL Entrepôt Exemple", "P6", Some(&acct_mihai), Some("P5"), 184_000, "EUR", "bank-transfer", "wages of P6 paid into an account held by P5", &["FN-04", "LB-14"], vec![k("wages-received"), s(csv_path)]),
        flow("F4", next_day, "P1", "P5", None, None, 35_000, "EUR", "deduction", "placement fee kept from P1's wages", &["LB-10"], vec![k("fee-deduction"), k("placement-fee"), s(csv_path)]),
        flow("F5", next_day, "P6", "P5", None, None, 35_000, "EUR", "deduction", "placement fee kept from P6's wages", &["LB-10"], vec![k("fee-deduction"), s(csv_path)]),
        flow("F6", next_day, "P1", "P5", None, None, 40_000, "EUR", "deduction", "'housing' kept from P1's wages", &[], vec![s(csv_path)]),
        flow("F7", next_day, "P6", "P5", None, None, 40_000, "EUR", "deduction", "'housing' kept from P6's wages", &[], vec![s(csv_path)]),
        flow("F8", next_day, "P5", "P2", Some(&acct_nelu), None, 60_000, "EUR", "bank-transfer", "recruiter's share", &["FN-04"], vec![k("recruiter-share"), s(csv_path)]),
        flow("F9", next_day, "P5", "P1", None, None, 25_000, "EUR", "cash", "cash handed to P1 (fraction of his wages)", &["FN-04", "LB-18"], vec![s(csv_path)]),
        flow("F10", next_day, "P5", "P6", None, None, 25_000, "EUR", "cash", "cash handed to P6 (fraction of his wages)", &["FN-04", "LB-18"], vec![s(csv_path)]),
    ];

    // Laptop documents.
    let date = |t: i64| super::timefmt::date_local(t, paris_offset(t));
    let csv = format!(
        "date;nom;compte;libelle;credit;debit;note\r\n\
{d1};A. MUNTEANU;{a1};VIR SARL ENTREPOT EXEMPLE;1840,00;;paie\r\n\
{d1};M. POPA;{a2};VIR SARL ENTREPOT EXEMPLE;1840,00;;paie\r\n\
{d2};A. MUNTEANU;{a1};retenue placement;;350,00;N.\r\n\
{d2};M. POPA;{a2};retenue placement;;350,00;N.\r\n\
{d2};A. MUNTEANU;{a1};retenue logement;;400,00;\r\n\
{d2};M. POPA;{a2};retenue logement;;400,00;\r\n\
{d2};N. VASILESCU;{a3};VIR part recrutement;;600,00;ok WhatsApp\r\n\
{d2};A. MUNTEANU;;remis especes;;250,00;\r\n\
{d2};M. POPA;;remis especes;;250,00;\r\n",
        d1 = date(pay_day),
        d2 = date(next_day),
        a1 = acct_andrei.replace(' ', ""),
        a2 = acct_mihai.replace(' ', ""),
        a3 = acct_nelu.replace(' ', ""),
    );
    b.plan.documents.push(Document {
        device: LAPTOP,
        path: s(csv_path),
        content: csv,
        mentions: vec![
            (ANDREI, s("name"), s("A. MUNTEANU")),
            (ANDREI, s("iban"), acct_andrei.replace(' ', "")),
            (MIHAI, s("name"), s("M. POPA")),
            (MIHAI, s("iban"), acct_mihai.replace(' ', "")),
            (NELU, s("name"), s("N. VASILESCU")),
            (NELU, s("iban"), acct_nelu.replace(' ', "")),
        ],
        indicators: vec![s("FN-04"), s("LB-14"), s("LB-10")],
    });
    b.plan.documents.push(Document {
        device: LAPTOP,
        path: s("Users/sabine/Documents/notes_comptes.txt"),
        content: format!(
            "Comptes ouverts (néo-banque, cartes au bureau)\n\
- A. Munteanu : {acct_andrei}\n\
- M. Popa : {acct_mihai}\n\n\
Contact recrutement : N. — nelu.recrutement@example.com\n\
Patron (WhatsApp seulement) : +44 7700 900461\n\
Retenues : placement 350, logement 400 / mois.\n"
        ),
        mentions: vec![
            (ANDREI, s("iban"), acct_andrei.replace(' ', "")),
            (MIHAI, s("iban"), acct_mihai.replace(' ', "")),
            (NELU, s("email"), s("nelu.recrutement@example.com")),
            (BOSS, s("phone"), s("+447700900461")),
        ],
        indicators: vec![s("FN-04"), s("LB-07"), s("LB-10")],
    });
    let mail_t = b.at(5, 9, 30);
    b.plan.documents.push(Document {
        device: LAPTOP,
        path: format!("Users/sabine/Documents/Mail/{}_liste.eml", date(mail_t)),
        content: format!(
            "From: Nelu <nelu.recrutement@example.com>\r\n\
To: Sabine Roux <sabine.roux.compta@example.org>\r\n\
Subject: Liste samedi\r\n\
Date: {}\r\n\
Message-ID: <{}.liste@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Bonjour Sabine,\r\n\
\r\n\
Voici les deux pour samedi : Andrei Munteanu (06 99 00 31 20) et Mihai Popa.\r\n\
Comme d'habitude, les comptes à leur nom, les cartes chez toi.\r\n\
\r\n\
N.\r\n",
            super::timefmt::rfc2822(mail_t, paris_offset(mail_t)),
            mail_t
        ),
        mentions: vec![
            (NELU, s("email"), s("nelu.recrutement@example.com")),
            (SABINE, s("email"), s("sabine.roux.compta@example.org")),
            (ANDREI, s("phone"), s("+33699003120")),
            (ANDREI, s("name"), s("Andrei Munteanu")),
            (MIHAI, s("name"), s("Mihai Popa")),
        ],
        indicators: vec![s("FN-04")],
    });
    b.plan.documents.push(Document {
        device: LAPTOP,
        path: s("Users/sabine/Documents/liste_courses.txt"),
        content: s("lait\npain\ncafé\npiles AA\ncadeau anniversaire Léa\n"),
        mentions: Vec::new(),
        indicators: Vec::new(),
    });

    // Key events.
    let vt = |plan: &Plan, dev: usize, url: &str| plan.visits.iter().find(|v| v.device == dev && v.url == url).map(|v| v.t).unwrap_or(day0);
    let post_t = vt(&b.plan, ANDROID, "https://social.example.com/groups/romani-in-franta/compose");
    let seen_t = vt(&b.plan, IPHONE, "https://social.example.com/groups/romani-in-franta/posts/8812");
    let mt = |plan: &Plan, key: &str| plan.messages.iter().find(|m| m.key == key).map(|m| m.t).unwrap_or(day0);
    let p = &b.plan;
    let events = vec![
        event("E01", post_t, "Job advert posted in diaspora groups from the recruiter's phone", &["P2"], vec![format!("android-nelu:{AND_CHROME}")]),
        event("E02", seen_t, "Recruit views the advert on his iPhone", &["P1"], vec![format!("ios-andrei:{IOS_SAFARI}")]),
        event("E03", mt(p, &k("first-contact")), "First contact by SMS, then a phone call", &["P1", "P2"], vec![k("first-contact"), s("C01")]),
        event("E04", mt(p, &k("employer-first")), "Recruit contacts the WhatsApp-only 'employer'", &["P1", "P4"], vec![k("employer-first"), k("employer-vague")]),
        event("E05", mt(p, &k("accounts-request")), "Wage accounts arranged with the money handler", &["P2", "P5"], vec![k("accounts-request"), k("accounts-opened"), k("wage-account")]),
        event("E06", mt(p, &k("id-photo")), "Recruit sends a photo of his identity card by MMS", &["P1", "P2"], vec![k("id-photo")]),
        event("E07", mt(p, &k("on-the-road")), "Transport from Lyon to the warehouse near Paris", &["P1", "P3", "P6"], vec![k("transport-order"), s("C05"), k("on-the-road")]),
        event("E08", mt(p, &k("lodging")), "Arrival; overcrowded lodging photographed from both phones", &["P1", "P6"], vec![s("PH2"), s("PH6"), k("lodging")]),
        event("E09", mt(p, &k("no-contract")), "Recruit complains: no contract, no pay", &["P1"], vec![k("no-contract"), k("mother-no-pay")]),
        event("E10", mt(p, &k("police")), "Recruit mentions the police, then deletes the message", &["P1"], vec![k("police")]),
        event("E11", pay_day, "Wages paid into accounts held by the money handler", &["P5", "P1", "P6"], vec![s("F2"), s("F3"), s(csv_path)]),
        event("E12", mt(p, &k("threat")), "Intimidation message, deleted from the recruiter's phone", &["P2", "P1"], vec![k("threat")]),
    ];
    b.plan.events = events;
    b.plan
}
