//! Scenario `scam-compound`: trafficking for forced criminality in an online-scam compound
//! (impunity-osce-unodc.md §4.6; online-trafficking-greta.md §3.2 LB-xx, §3.5 CT-xx, §3.6 FN-xx,
//! §3.7 NW-xx).
//!
//! A young Frenchman (Lucas, whose family speaks Vietnamese) answers a "customer service in
//! Bangkok" offer from a WhatsApp-only recruiter, is met at the airport, driven across a border to
//! a guarded compound, has his passport taken, is told he owes a "debt", and is made to run
//! romance and crypto-investment scams from a work phone under a fake persona ("Daniel Laurent"),
//! with daily quotas reported to a team leader. He manages to message his mother, who pays a
//! "release fee". Seized after a rescue: Lucas's own iPhone (TAR and ZIP), the compound's work
//! phone (TAR.GZ), the team leader's phone (TAR.GZ).
//!
//! Teaching point: the victim is also an apparent offender (non-punishment principle): the scam
//! messages were written under coercion; the persona is not a real person.

#![allow(clippy::too_many_arguments)]

use super::Scale;
use super::images::{Format, ImageSpec, Transform};
use super::plan::*;
use super::rng::Rng;
use super::story::{Builder, android_photo_names, camera, empty_plan, event, flow, mark_attributed, person, s, thread};
use super::timefmt::{date_local, paris_offset, parts};

/// Scenario name.
pub const NAME: &str = "scam-compound";
/// Title.
pub const TITLE: &str = "Forced criminality in an online-scam compound";
/// Summary.
pub const SUMMARY: &str = "A fake 'customer service in Bangkok' job offer (WhatsApp-only recruiter, flight and housing paid) \
leads a young Frenchman to a guarded scam compound: passport taken, an invented debt, daily quotas, scripts for romance and \
crypto-investment scams run from a work phone under a fake persona; he contacts his mother in Vietnamese, who pays a \
'release fee'. Three devices: the victim's iPhone (TAR and ZIP), the compound's work phone and the team leader's phone \
(TAR.GZ). Trainees link the persona to the victim, tag LB/CT/FN indicators, separate coerced scam messages from the \
victim's own voice, and rebuild the money flows (scam proceeds, release fee).";

// Persons.
const LUCAS: usize = 0;
const KELLY: usize = 1;
const LEO: usize = 2;
const BRIAN: usize = 3;
const HOA: usize = 4;
const JULIEN: usize = 5;
const SANDRINE: usize = 6;
const PETER: usize = 7;
const TONY: usize = 8;
const DANIEL: usize = 9;
const OPERATOR: usize = 10;
// Devices.
const IPHONE: usize = 0;
const WORK: usize = 1;
const LEO_PHONE: usize = 2;

const SCRIPT_FR: &str = "SCRIPT RELATION – FR (ne pas sortir du script)\n\
Jour 1-3 : bonjour chaque matin, photo du bateau / du bureau à Dubaï. Parler de sa journée à elle, retenir les prénoms des enfants.\n\
Jour 4-7 : « je pense à toi tout le temps ». Jamais d'appel vidéo (excuse : caméra cassée, réseau sur le chantier).\n\
Jour 8+ : parler de « mon oncle » qui gagne beaucoup avec la plateforme CoinVault. Montrer une capture des gains.\n\
Premier dépôt : 500 €. Ensuite « frais de retrait », « taxe », toujours plus.\n\
Si elle doute : se vexer, ne plus répondre 1 jour.\n";
const SCRIPT_EN: &str = "CRYPTO SCRIPT – EN\n\
1. Wrong-number opener (\"Hi Tom, is the meeting still on?\"). Apologise, keep chatting.\n\
2. Lifestyle: golf, sea, investments. Never talk about money first.\n\
3. Day 5: share 'profit screenshot' from coinvault-trade.example. Offer to 'teach' him.\n\
4. First deposit USDT 1000 minimum. Withdrawal needs 'tax 20%'.\n\
KPI: 20 new chats/day, 2 deposits/week.\n";

const NOISE_VI: &[&str] = &["Con ăn cơm chưa?", "Mẹ khỏe, con đừng lo ❤️", "Nhớ mặc ấm nhé", "Bà ngoại hỏi thăm con", "Chúc con ngủ ngon", "Cuối tuần gọi cho mẹ nhé 🙏"];
const NOISE_FR: &[&str] = &["Ça va frérot ?", "T'as vu le match ? ⚽", "Grave 😂", "On se fait un ciné quand tu rentres", "Bien reçu", "ok"];

/// Build the plan for `seed` and `scale`.
pub fn build(seed: u64, scale: Scale) -> Plan {
    let root = Rng::new(seed);
    let day0 = 1_709_510_400 + (seed % 97) as i64 * 86_400;
    let mut persons = vec![
        person("P1", "Lucas", "Tran", &["victim", "recruit", "forced-criminality"], Some("+33699220101"), &["fr", "vi", "en"]),
        person("P2", "Vanessa", "Ho", &["recruiter", "employer-whatsapp-only"], Some("+447700900318"), &["en"]),
        person("P3", "Long", "Lê Văn", &["exploiter", "controller", "team-leader"], Some("+447700900377"), &["vi", "en"]),
        person("P4", "Brian", "Otieno", &["victim", "forced-criminality"], Some("+447700900452"), &["en"]),
        person("P5", "Hoa", "Trần Thị", &["family", "uninvolved"], Some("+33699220601"), &["vi", "fr"]),
        person("P6", "Julien", "Morel", &["friend", "uninvolved"], Some("+33699220602"), &["fr"]),
        person("P7", "Sandrine", "Dupuis", &["fraud-victim"], Some("+33699220703"), &["fr"]),
        person("P8", "Peter", "Walsh", &["fraud-victim"], Some("+447700900519"), &["en"]),
        person("P9", "Tony", "", &["transporter"], Some("+447700900690"), &["en"]),
        person("P10", "Daniel", "Laurent", &["fake-persona"], Some("+447700900733"), &["fr", "en"]),
        person("P11", "InfoMobile", "", &["automated-sender"], None, &["fr"]),
    ];
    for p in [LUCAS, KELLY, LEO, BRIAN, HOA, SANDRINE, PETER, DANIEL, TONY] {
        persons[p].whatsapp = true;
    }
    persons[LUCAS].push_name = Some(s("Lucas T."));
    persons[LUCAS].email = Some(s("lucas.tran.pro@example.com"));
    persons[KELLY].push_name = Some(s("Kelly | HR Global Tech Jobs"));
    persons[LEO].push_name = Some(s("Leo 🐉"));
    persons[LEO].email = Some(s("leo.team7@example.org"));
    persons[LEO].android_address = Some(s("+44 7700 900377"));
    persons[BRIAN].push_name = Some(s("Brian O."));
    persons[HOA].push_name = Some(s("Mẹ"));
    persons[SANDRINE].push_name = Some(s("Sandrine"));
    persons[PETER].push_name = Some(s("Pete W"));
    persons[DANIEL].push_name = Some(s("Daniel Laurent ⚓"));
    persons[DANIEL].email = Some(s("daniel.laurent.eng@example.com"));
    persons[TONY].push_name = Some(s("Tony Transport"));
    persons[OPERATOR].sender_id = Some(s("InfoMobile"));

    let devices = vec![
        Device { id: s("ios-lucas"), kind: DeviceKind::Ios, owner: LUCAS, make: s("Apple"), model: s("iPhone 13") },
        Device { id: s("android-work"), kind: DeviceKind::Android, owner: DANIEL, make: s("samsung"), model: s("SM-A245F") },
        Device { id: s("android-leo"), kind: DeviceKind::Android, owner: LEO, make: s("Xiaomi"), model: s("2201117TG") },
    ];
    let mut threads = vec![
        thread("T1", Channel::WhatsApp, &[KELLY, LUCAS]),
        thread("T2", Channel::IMessage, &[LUCAS, HOA]),
        thread("T3", Channel::Sms, &[LUCAS, JULIEN]),
        thread("T4", Channel::WhatsApp, &[TONY, LUCAS]),
        thread("T5", Channel::WhatsApp, &[LEO, DANIEL]),
        thread("T6", Channel::WhatsApp, &[LEO, DANIEL, BRIAN]),
        thread("T7", Channel::WhatsApp, &[DANIEL, SANDRINE]),
        thread("T8", Channel::WhatsApp, &[DANIEL, PETER]),
        thread("T9", Channel::WhatsApp, &[BRIAN, LUCAS]),
        thread("T10", Channel::Sms, &[OPERATOR, LUCAS]),
        thread("T11", Channel::WhatsApp, &[KELLY, LEO]),
    ];
    threads[5].group = Some(Group { name: s("Team 7 KPI 📈"), jid: s("120363077700112233@g.us"), admin: LEO, created: day0 - 90 * 86_400 });
    let (t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11) = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    let plan = empty_plan(NAME, seed, scale, day0, persons, devices, threads);
    let mut b = Builder::new(&root, day0, plan);
    b.plan.notes.push(s("P10 'Daniel Laurent' is a fake persona run from the compound's work phone; the messages sent as P10 were written by P1 (and others) under coercion."));
    b.plan.notes.push(s("Story times are planned on Europe/Paris wall time; the compound is in UTC+7. The answer key's UTC instants are what the devices hold."));
    b.plan.notes.push(s("The GRETA digest has no dedicated forced-criminality ids: coercion is tagged with CT-xx, the job lure with LB-xx, transfers with FN-xx; key_events name passport confiscation, quotas and the debt."));

    let b_ad = b.base("the 'customer service' job advert picture (office tower)");
    let b_persona = b.base("persona 'Daniel's' lifestyle photo (sea / boat), sent to every target");
    let b_compound = b.base("the compound seen from a dormitory window");
    let b_dinner = b.base("family dinner before departure (background)");
    let b_airport = b.base("airport arrivals hall");
    let b_profit = b.base("fake 'profit' chart shown to targets");

    // --- T1: recruiter ↔ Lucas, WhatsApp, English (LB-01, LB-02, LB-05, LB-06, LB-07).
    b.msg("job-ad-reply", t1, LUCAS, (-20, 18, 2), "en", &[
        "Hello, I saw your post about the customer service job in Bangkok. Is it still open?",
        "Hi, I'm interested in the Bangkok customer support position from the Facebook group.",
        "Good evening, is the job in Thailand (customer service) still available?",
    ], &["LB-08"]);
    b.msg("job-pay", t1, KELLY, (-20, 18, 20), "en", &[
        "Yes dear! Salary 1800-2500 USD + commission, you only need basic English and typing.",
        "Still open. 2000 USD/month plus bonus, no experience needed, just English and computer.",
        "Yes! Very good salary (2000$+), easy work, training provided, no degree required.",
    ], &["LB-01", "LB-06"]);
    b.msg("job-free", t1, KELLY, (-20, 18, 22), "en", &[
        "Company pays your flight ticket, visa and accommodation. Food also free.",
        "Flight + visa + dormitory are covered by company 👍",
        "You don't pay anything: ticket, hotel, meals all by company.",
    ], &["LB-05"]);
    b.msg("", t1, LUCAS, (-20, 18, 40), "en", &["What is the company name and address? Can I see a contract?"], &[]);
    b.msg("job-vague", t1, KELLY, (-20, 19, 5), "en", &[
        "It's an IT/online marketing company, contract you sign on arrival. Address I send later for security.",
        "Global Tech, online sales support. Contract at the office. We don't share address before.",
        "Office is near the border area, big company, you will see. Contract there.",
    ], &["LB-02", "LB-03"]);
    b.msg("job-whatsapp", t1, KELLY, (-20, 19, 6), "en", &[
        "Please only contact me on WhatsApp, we don't use email for recruitment.",
        "HR only on WhatsApp dear, phone calls not possible.",
    ], &["LB-07", "LB-04"]);
    b.msg("ticket", t1, KELLY, (-12, 11, 0), "en", &["Here is your e-ticket CDG → BKK, 14th. Driver Tony will pick you at arrivals."], &["CT-09"]);
    b.msg("", t1, LUCAS, (-12, 11, 30), "en", &["Thank you so much!! 🙏"], &[]);

    // --- T4: transporter, WhatsApp (CT-09; passport).
    b.msg("pickup", t4, TONY, (0, 6, 0), "en", &["I'm at gate 3 with a sign GLOBAL TECH. Hurry, long drive."], &["CT-09"]);
    b.msg("passport", t4, TONY, (0, 14, 40), "en", &[
        "Give me your passport, I keep it for the work visa at the border. You get it back at the office.",
        "Passport to me now, it's for the visa process. Company keeps it safe.",
        "I need your passport for immigration paper, you get it after.",
    ], &["CT-09"]);
    b.msg("", t4, LUCAS, (0, 14, 45), "en", &["Why do we cross the border? Kelly said Bangkok..."], &[]);
    b.msg("", t4, TONY, (0, 14, 47), "en", &["Office moved. No problem. Sit down."], &[]);

    // --- T2: Lucas ↔ mother, Vietnamese and French.
    b.noise(t2, HOA, (-25, 19, 0), "vi", "Con ăn cơm chưa?");
    b.msg("", t2, LUCAS, (-19, 20, 0), "vi", &["Mẹ ơi, con được nhận việc ở Bangkok rồi! Lương cao lắm, công ty trả vé máy bay 🥳"], &[]);
    b.msg("", t2, HOA, (-19, 20, 10), "vi", &["Con cẩn thận nhé. Công ty đó có thật không? Mẹ lo quá."], &[]);
    b.msg("", t2, LUCAS, (0, 8, 0), "fr", &["Bien arrivé maman ✈️ je t'appelle ce soir"], &[]);
    let sos = b.msg("sos-deleted", t2, LUCAS, (6, 2, 30), "vi", &[
        "Mẹ ơi, đây không phải công ty. Họ giữ hộ chiếu của con, không cho ra ngoài.",
        "Mẹ ơi con bị lừa rồi. Họ lấy hộ chiếu, bắt con làm việc lừa đảo trên mạng.",
        "Mẹ, con không về được. Hộ chiếu bị giữ, có bảo vệ có súng.",
    ], &["CT-09"]);
    b.plan.messages[sos].fates.push((IPHONE, Fate::RecentlyDeleted));
    b.msg("ransom", t2, LUCAS, (6, 2, 34), "vi", &[
        "Họ nói con nợ 6.000 đô tiền vé và visa. Nếu không trả thì họ bán con sang công ty khác.",
        "Con phải trả 6000 USD thì họ mới thả. Nếu không, họ chuyển con đi chỗ khác.",
        "Họ bảo con nợ họ 6 nghìn đô, không trả thì bị bán tiếp.",
    ], &["LB-10", "CT-05"]);
    b.msg("", t2, HOA, (6, 7, 0), "vi", &["Trời ơi con ơi 😭 Mẹ sẽ đi vay tiền. Gửi số tài khoản cho mẹ."], &[]);
    b.msg("release-account", t2, LUCAS, (7, 1, 50), "fr", &[
        "Maman, virement sur ce compte : FR45 9999 9000 0177 7000 1234 561, nom « GT Services ». Ne dis rien à la police sinon ils me frappent.",
        "C'est ce compte maman : FR45 9999 9000 0177 7000 1234 561 (GT Services). Surtout pas la police, ils lisent tout.",
    ], &["FN-01", "CT-05"]);
    b.msg("", t2, HOA, (9, 12, 0), "fr", &["J'ai fait le virement, 3000 euros, c'est tout ce que j'ai pu. Tiens bon ❤️"], &["FN-01"]);
    b.noise(t2, HOA, (12, 20, 0), "vi", "Mẹ nhớ con lắm 🙏");

    // --- T3: friend, SMS, French.
    b.noise(t3, JULIEN, (-22, 18, 0), "fr", "Alors ce taf en Thaïlande ? T'es sûr que c'est pas une arnaque ? 😅");
    b.noise(t3, LUCAS, (-22, 18, 10), "fr", "Mais non t'inquiète, tout est payé, c'est une grosse boîte");
    b.msg("friend-worry", t3, JULIEN, (10, 21, 0), "fr", &["Ta mère m'a appelé, elle pleure. Je contacte l'ambassade ?"], &[]);
    b.msg("", t3, LUCAS, (13, 3, 0), "fr", &["oui. stp. vite. ils ne savent pas que j'ai ce tel"], &[]);

    // --- T5: leader ↔ work phone persona (quotas, debt, threats).
    b.msg("quota", t5, LEO, (2, 9, 0), "en", &[
        "Rule: 20 new chats every day, 2 deposits a week. Below quota = no salary, extra hours.",
        "Your KPI is 20 new targets per day. No deposit this week, you work until 2am.",
        "Quota 20 contacts/day. You don't reach, you pay penalty from your debt.",
    ], &["CT-01"]);
    b.msg("scripts", t5, LEO, (2, 9, 5), "en", &["Follow the scripts in Download folder. French ladies for you because you speak French."], &[]);
    b.msg("debt-claim", t5, LEO, (3, 22, 0), "vi", &[
        "Mày nợ công ty 6.000 đô: vé máy bay, visa, tiền ăn ở. Làm đủ chỉ tiêu thì trừ dần.",
        "Nợ của mày là 6000 USD. Không đạt KPI thì nợ tăng thêm.",
        "Mày còn nợ 6 nghìn đô. Muốn về thì trả hết.",
    ], &["LB-10"]);
    b.msg("punish", t5, LEO, (8, 23, 30), "en", &[
        "No deposit again today. Tomorrow you stand in the sun 3 hours. Next time we sell you to another company.",
        "Zero deposits. You know what happens. Another week like this and you go to the other compound.",
        "Bad numbers. Phone stays with me tonight and you work double shift.",
    ], &["CT-05"]);
    b.msg("", t5, DANIEL, (8, 23, 35), "en", &["ok boss. sorry. tomorrow better"], &[]);
    b.msg("phone-control", t5, LEO, (4, 8, 0), "en", &["Personal phones stay in the locker. 10 min on Sunday only, with me watching."], &["CT-04"]);

    // --- T6: group reports (CT-01), revoked message.
    b.msg("", t6, LEO, (2, 8, 0), "en", &["Welcome D7 and B3 to Team 7 👊 Report here every 2 hours."], &["CT-01"]);
    b.msg("report-d7", t6, DANIEL, (3, 20, 0), "en", &["D7: 22 new, 4 replies, 0 deposit", "D7 report: 21 chats, 3 good, deposit 0", "D7 – 20 new / 5 active / 0"], &["CT-01"]);
    b.msg("report-b3", t6, BRIAN, (3, 20, 5), "en", &["B3: 18 new, 2 replies", "B3 report 17 chats 1 active"], &["CT-01"]);
    let rev = b.msg("revoked", t6, LEO, (5, 1, 0), "en", &["Whoever talks to outside people about this place disappears."], &["CT-05"]);
    b.plan.messages[rev].fates = vec![(WORK, Fate::Revoked), (LEO_PHONE, Fate::Revoked)];
    b.msg("report-d7b", t6, DANIEL, (9, 20, 0), "en", &["D7: 25 new, deposit 1 (FR lady 500€)", "D7 – 1 deposit 500 EUR from FR target"], &["CT-01"]);

    // --- T7: persona ↔ Sandrine (romance script in French, written under coercion).
    b.msg("romance-open", t7, DANIEL, (3, 10, 0), "fr", &[
        "Bonjour Sandrine, désolé, je crois que je me suis trompé de numéro... mais votre photo de profil est magnifique 😊",
        "Bonjour, c'est bien Sophie ? Ah pardon, erreur de numéro. Belle journée à vous quand même ☀️",
    ], &[]);
    b.msg("", t7, SANDRINE, (3, 11, 0), "fr", &["Pas de souci 🙂 vous êtes où ?"], &[]);
    b.msg("persona-life", t7, DANIEL, (3, 11, 5), "fr", &["Ingénieur sur un chantier à Dubaï, je suis français. Je vous envoie une photo de ma pause 😄"], &[]);
    b.msg("", t7, SANDRINE, (6, 21, 0), "fr", &["On pourrait se parler en vidéo un jour ?"], &[]);
    b.msg("", t7, DANIEL, (6, 21, 3), "fr", &["Ma caméra est cassée et le réseau du chantier est nul... bientôt promis ❤️"], &[]);
    b.msg("crypto-pitch", t7, DANIEL, (8, 20, 0), "fr", &[
        "Mon oncle gagne 30% par mois sur CoinVault, je peux te montrer. Commence petit, 500 €.",
        "Je t'apprends à investir sur coinvault-trade.example, mon oncle m'a montré. 500 € pour commencer.",
    ], &["FN-01"]);
    b.msg("deposit", t7, SANDRINE, (9, 19, 0), "fr", &["C'est fait, 500 € en USDT comme tu m'as montré 🤞"], &["FN-01"]);
    b.msg("fee-demand", t7, DANIEL, (20, 19, 0), "fr", &["Pour retirer tes gains il faut payer la taxe de 20%, 1 600 €. Après tu récupères tout."], &["FN-01"]);

    // --- T8: persona ↔ Peter (crypto, English).
    b.msg("wrong-number", t8, DANIEL, (4, 9, 0), "en", &["Hi Tom, is the golf still on for Saturday?", "Hi Tom! Meeting still at 3pm?"], &[]);
    b.msg("", t8, PETER, (4, 10, 0), "en", &["Wrong number mate, I'm Pete 😄"], &[]);
    b.msg("", t8, DANIEL, (4, 10, 5), "en", &["Oh sorry Pete! Nice to meet you anyway. Where are you from?"], &[]);
    b.msg("peter-deposit", t8, PETER, (15, 18, 0), "en", &["Sent 10,000 USDT to the wallet you gave me. Fingers crossed!"], &["FN-01"]);

    // --- T9: fellow victim on Lucas's personal WhatsApp.
    b.msg("brian-passport", t9, BRIAN, (11, 3, 0), "en", &[
        "They have my passport too. A guy in block C got beaten for not making quota.",
        "Same for me bro, no passport. They moved 3 guys to another compound yesterday.",
    ], &["CT-09", "CT-05"]);
    b.msg("", t9, LUCAS, (11, 3, 5), "en", &["My friend is calling the embassy. Delete this chat."], &[]);

    // --- T10 operator; T11 recruiter ↔ leader (NW-01, NW-04).
    b.noise(t10, OPERATOR, (0, 9, 0), "fr", "InfoMobile : bienvenue à l'étranger. Appels et SMS facturés selon la zone 3.");
    b.noise(t10, OPERATOR, (25, 10, 0), "fr", "InfoMobile : votre facture du mois est disponible.");
    b.msg("delivered", t11, KELLY, (0, 20, 0), "en", &["French boy arrived today. Commission 1,500 as agreed.", "Delivered the French guy. My 1500 please."], &["NW-01", "CT-09"]);
    b.msg("", t11, LEO, (0, 20, 10), "en", &["ok. send more French speakers, good for EU targets"], &["NW-04"]);

    // Light noise.
    let mut nr = root.fork("noise");
    let per_thread = match scale {
        Scale::Small => 3,
        Scale::Large => 60,
    };
    for _ in 0..per_thread {
        let from = if nr.chance(0.5) { LUCAS } else { HOA };
        let text = *nr.pick(NOISE_VI);
        b.noise(t2, from, (nr.range(-30, -1), nr.range(8, 22), nr.range(0, 59)), "vi", text);
        let from = if nr.chance(0.5) { LUCAS } else { JULIEN };
        let text = *nr.pick(NOISE_FR);
        b.noise(t3, from, (nr.range(-30, -1), nr.range(8, 23), nr.range(0, 59)), "fr", text);
        let from = *nr.pick(&[LEO, DANIEL, BRIAN]);
        let text = *nr.pick(&["ok", "👍", "noted", "on it", "yes boss", "lunch 12:30", "wifi down in block B"]);
        b.noise(t6, from, (nr.range(2, 30), nr.range(8, 23), nr.range(0, 59)), "en", text);
    }

    let labels = b.finish_messages();
    let k = |l: &str| labels.get(l).cloned().unwrap_or_else(|| format!("?{l}"));
    mark_attributed(&mut b.plan, &root, day0, 0);

    // Calls.
    b.call("C01", KELLY, LUCAS, (-19, 17, 0), 420, CallChannel::WhatsApp, false);
    b.call("C02", LUCAS, HOA, (0, 8, 10), 300, CallChannel::WhatsApp, false);
    b.call("C03", LEO, DANIEL, (8, 23, 25), 60, CallChannel::WhatsApp, false);
    b.call("C04", DANIEL, SANDRINE, (7, 21, 0), 0, CallChannel::WhatsApp, false);
    b.call("C05", JULIEN, LUCAS, (10, 21, 5), 0, CallChannel::Phone, false);
    b.call("C06", KELLY, LEO, (0, 20, 5), 95, CallChannel::WhatsApp, false);
    let mut cr = root.fork("calls");
    let extra = match scale {
        Scale::Small => 4,
        Scale::Large => 40,
    };
    for i in 0..extra {
        let other = if cr.chance(0.6) { HOA } else { JULIEN };
        let (from, to) = if cr.chance(0.5) { (LUCAS, other) } else { (other, LUCAS) };
        let dur = if cr.chance(0.85) { cr.range(20, 1500) } else { 0 };
        b.call(&format!("C{:02}", 7 + i), from, to, (cr.range(-30, -1), cr.range(8, 22), cr.range(0, 59)), dur, CallChannel::Phone, true);
    }
    b.plan.calls.sort_by_key(|c| c.t);

    // Address books: the persona's phone names the real worker behind it on the leader's phone.
    b.contact(IPHONE, HOA, "Mẹ", "", Some("+33 6 99 22 06 01"), None, -400, false);
    b.contact(IPHONE, JULIEN, "Julien", "", Some("06 99 22 06 02"), None, -300, false);
    b.contact(IPHONE, KELLY, "Kelly", "HR Bangkok", Some("+44 7700 900318"), None, -20, false);
    b.contact(IPHONE, TONY, "Tony", "driver", Some("+447700900690"), None, -1, true);
    b.contact(IPHONE, BRIAN, "Brian", "B3", Some("+44 7700 900452"), None, 10, true);
    b.contact(WORK, LEO, "Team Leader", "", Some("+44 7700 900377"), None, -60, false);
    b.contact(WORK, SANDRINE, "S.", "Lyon 💰", Some("+33699220703"), None, 3, false);
    b.contact(WORK, PETER, "P.", "Leeds", Some("+447700900519"), None, 4, false);
    b.contact(LEO_PHONE, DANIEL, "D7", "Lucas FR", Some("+44 7700 900733"), Some("daniel.laurent.eng@example.com"), 1, false);
    b.contact(LEO_PHONE, BRIAN, "B3", "Brian KE", Some("+44 7700 900452"), None, -5, false);
    b.contact(LEO_PHONE, KELLY, "Kelly", "HR", Some("+44 7700 900318"), None, -300, false);
    b.contact(LEO_PHONE, TONY, "Tony", "car", Some("+447700900690"), None, -300, false);

    // Browsing.
    b.visit(IPHONE, (-21, 22, 0), "https://social.example.com/groups/jobs-asia-francophones/posts/5521", "URGENT – Customer service Bangkok – 2000$ + logement", false, None, &["LB-01", "LB-05", "LB-08"], false);
    b.visit(IPHONE, (-21, 22, 10), "https://search.example.com/search?q=global+tech+bangkok+avis", "global tech bangkok avis - Recherche", true, Some("global tech bangkok avis"), &[], false);
    b.visit(IPHONE, (13, 3, 5), "https://www.example.org/ambassade/urgence", "Urgence consulaire – numéro 24h/24", true, None, &[], false);
    b.visit(WORK, (3, 9, 30), "https://coinvault-trade.example/login", "CoinVault – Trade", true, None, &["FN-01"], false);
    b.visit(WORK, (8, 20, 5), "https://coinvault-trade.example/ref/D7", "CoinVault – Invite", false, None, &["FN-01"], false);
    b.visit(WORK, (5, 14, 0), "https://translate.example.com/?sl=en&tl=fr&text=I+miss+you+my+love", "Traduction", true, None, &[], false);
    b.visit(LEO_PHONE, (1, 10, 0), "https://coinvault-trade.example/admin/team7", "CoinVault – Admin – Team 7", true, None, &["FN-01", "CT-01"], false);
    b.visit(LEO_PHONE, (9, 10, 0), "https://social.example.com/groups/jobs-asia-francophones/compose", "Publier dans le groupe", false, None, &["LB-08", "NW-04"], false);
    let mut vr = root.fork("visits");
    let extra_visits = match scale {
        Scale::Small => 3,
        Scale::Large => 50,
    };
    let sites: &[(&str, &str)] = &[
        ("https://news.example.com/", "Actualités"),
        ("https://video.example.com/watch?v=nhac", "Nhạc mới"),
        ("https://sport.example.com/ligue1", "Ligue 1"),
        ("https://shop.example.com/", "Boutique"),
    ];
    for dev in [IPHONE, WORK, LEO_PHONE] {
        for _ in 0..extra_visits {
            let (url, title) = *vr.pick(sites);
            let when = (vr.range(-30, 38), vr.range(7, 23), vr.range(0, 59));
            let typed = vr.chance(0.3);
            b.visit(dev, when, url, title, typed, None, &[], true);
        }
    }
    b.plan.visits.sort_by_key(|v| (v.device, v.t));

    // Pictures.
    b.photo(IPHONE, "IMG_2201.JPG", (-23, 20, 30), Some((48.8566, 2.3522)), "family dinner before departure (background)", camera(b_dinner));
    b.photo(IPHONE, "IMG_2240.JPG", (0, 6, 5), Some((13.6900, 100.7501)), "airport arrivals hall", camera(b_airport));
    b.photo(IPHONE, "IMG_2251.JPG", (1, 18, 0), None, "compound seen from the dormitory window (location off)", camera(b_compound));
    b.photo(LEO_PHONE, "compound.jpg", (-30, 9, 0), None, "compound, same building (location off)", ImageSpec::base(b_compound, vec![Transform::Crop { percent: 75 }, Transform::Fit { width: 480, height: 360 }], Format::Jpeg(80)));
    b.photo(LEO_PHONE, "chart.jpg", (-20, 9, 0), None, "fake 'profit' chart", camera(b_profit));
    android_photo_names(&mut b.plan);
    // The job advert, screenshotted by Lucas.
    b.file(
        IPHONE,
        "private/var/mobile/Media/DCIM/100APPLE/IMG_2198.PNG",
        FileContent::Image {
            spec: ImageSpec::base(b_ad, vec![Transform::Fit { width: 640, height: 480 }, Transform::TextOverlay { text: "Customer service Bangkok 2000$".into() }, Transform::ScreenshotPad { width: 390, height: 844 }], Format::Png),
            exif: None,
        },
    );
    // The same advert picture on the leader's phone (posted to the group), smaller.
    b.file(
        LEO_PHONE,
        "data/media/0/Pictures/ads/tuyen_dung_FR.jpg",
        FileContent::Image { spec: ImageSpec::base(b_ad, vec![Transform::Fit { width: 640, height: 480 }, Transform::TextOverlay { text: "Customer service Bangkok 2000$".into() }, Transform::Resize { percent: 50 }], Format::Jpeg(75)), exif: None },
    );
    // Persona photos on the work phone: the original and what WhatsApp sent to each target.
    let dl = "data/media/0/Download";
    b.file(WORK, &format!("{dl}/persona/daniel_01.jpg"), FileContent::Image { spec: ImageSpec::base(b_persona, vec![Transform::Fit { width: 640, height: 480 }], Format::Jpeg(92)), exif: None });
    let wa = "data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/Sent";
    let d = |t: i64| {
        let (y, mo, d, _, _, _) = parts(t, paris_offset(t));
        format!("{y:04}{mo:02}{d:02}")
    };
    let t_s = b.msg_time(&k("persona-life"));
    let t_p = b.msg_time(&k("wrong-number")) + 86_400;
    b.file(WORK, &format!("{wa}/IMG-{}-WA0011.jpg", d(t_s)), FileContent::Image { spec: ImageSpec::base(b_persona, vec![Transform::Fit { width: 640, height: 480 }, Transform::Crop { percent: 90 }, Transform::Reencode { quality: 60 }], Format::Jpeg(65)), exif: None });
    b.file(WORK, &format!("{wa}/IMG-{}-WA0014.jpg", d(t_p)), FileContent::Image { spec: ImageSpec::base(b_persona, vec![Transform::Fit { width: 640, height: 480 }, Transform::Mirror, Transform::Resize { percent: 75 }], Format::Jpeg(65)), exif: None });
    b.file(WORK, &format!("{wa}/IMG-{}-WA0015.jpg", d(t_p)), FileContent::Image { spec: ImageSpec::base(b_profit, vec![Transform::Fit { width: 480, height: 360 }, Transform::Reencode { quality: 50 }], Format::Jpeg(70)), exif: None });

    // Documents: scripts and target list on the work phone, KPI and debt ledger on the leader's.
    b.document(WORK, &format!("{dl}/script_romance_FR.txt"), s(SCRIPT_FR), Vec::new(), &["CT-01"]);
    b.document(WORK, &format!("{dl}/script_crypto_EN.txt"), s(SCRIPT_EN), Vec::new(), &["CT-01", "FN-01"]);
    b.document(
        WORK,
        &format!("{dl}/targets_D7.csv"),
        s("name;phone;city;status;notes\nSandrine D.;+33699220703;Lyon;deposit 500;divorcée, 2 enfants\nPeter W.;+447700900519;Leeds;deposit 10000 USDT;retired\nMarie-Claude R.;+33699220790;Nantes;no reply;\nAlain P.;+33699220791;Lille;chatting;veuf\n"),
        vec![(SANDRINE, s("phone"), s("+33699220703")), (PETER, s("phone"), s("+447700900519"))],
        &["RC-05"],
    );
    let date = |t: i64| date_local(t, paris_offset(t));
    let mut kpi = String::from("date;worker;new_chats;active;deposits;amount_usd\n");
    let mut kr = root.fork("kpi");
    for day in 2..25 {
        let t = b.at(day, 23, 0);
        for w in ["D7", "B3", "A1", "M5"] {
            let dep = if kr.chance(0.1) { 1 } else { 0 };
            kpi.push_str(&format!("{};{w};{};{};{dep};{}\n", date(t), 15 + kr.below(12), kr.below(6), if dep == 1 { 500 + kr.below(10_000) } else { 0 }));
        }
    }
    b.document(LEO_PHONE, "data/media/0/Documents/kpi_team7.csv", kpi, Vec::new(), &["CT-01"]);
    b.document(
        LEO_PHONE,
        "data/media/0/Documents/debts_team7.csv",
        s("worker;name;nationality;debt_usd;passport;note\nD7;Lucas T.;FR;6000;locker 12;family paying\nB3;Brian O.;KE;5500;locker 13;\nA1;;;4800;locker 7;\nM5;;;7000;locker 9;resell if < KPI\n"),
        vec![(LUCAS, s("name"), s("Lucas T.")), (BRIAN, s("name"), s("Brian O."))],
        &["LB-10", "CT-09"],
    );

    // Money.
    let acct = "FR45 9999 9000 0177 7000 1234 561";
    b.plan.money = vec![
        flow("F1", b.msg_time(&k("delivered")), "P3", "P2", None, None, 150_000, "USD", "unknown", "recruiter's commission per recruit", &["NW-01"], vec![k("delivered")]),
        flow("F2", b.msg_time(&k("deposit")), "P7", "coinvault-trade.example", None, Some("P3"), 50_000, "EUR", "crypto (USDT)", "first romance-scam deposit", &["FN-01"], vec![k("deposit"), k("report-d7b")]),
        flow("F3", b.msg_time(&k("peter-deposit")), "P8", "coinvault-trade.example", None, Some("P3"), 1_000_000, "USDT", "crypto (USDT)", "crypto-scam deposit", &["FN-01"], vec![k("peter-deposit")]),
        flow("F4", b.msg_time(&k("release-account")) + 2 * 86_400, "P5", "GT Services", Some(acct), Some("P3"), 300_000, "EUR", "bank-transfer", "'release fee' paid by the mother", &["FN-01", "LB-10"], vec![k("release-account"), k("ransom")]),
    ];

    // Key events.
    let p = &b;
    let events = vec![
        event("E01", p.visit_time(IPHONE, "https://social.example.com/groups/jobs-asia-francophones/posts/5521"), "Lucas sees the job post in a francophone expat group", &["P1"], vec![s("ios-lucas:visit:https://social.example.com/groups/jobs-asia-francophones/posts/5521"), s("ios-lucas:/private/var/mobile/Media/DCIM/100APPLE/IMG_2198.PNG")]),
        event("E02", p.msg_time(&k("job-pay")), "WhatsApp-only recruiter: high pay, free flight and housing, vague job, no address", &["P2", "P1"], vec![k("job-pay"), k("job-free"), k("job-vague"), k("job-whatsapp")]),
        event("E03", p.msg_time(&k("pickup")), "Arrival; driver takes him across a border instead of Bangkok", &["P9", "P1"], vec![k("pickup"), s("PH2")]),
        event("E04", p.msg_time(&k("passport")), "Passport confiscated", &["P9", "P1"], vec![k("passport"), s("android-leo:/data/media/0/Documents/debts_team7.csv")]),
        event("E05", p.msg_time(&k("quota")), "Quotas and scripts imposed on the work phone under the persona 'Daniel Laurent'", &["P3", "P10", "P1"], vec![k("quota"), k("scripts"), s("android-work:/data/media/0/Download/script_romance_FR.txt")]),
        event("E06", p.msg_time(&k("debt-claim")), "Invented 6,000 USD debt", &["P3", "P1"], vec![k("debt-claim"), k("ransom")]),
        event("E07", p.msg_time(&k("romance-open")), "Romance scam run from the persona (coerced)", &["P10", "P7"], vec![k("romance-open"), k("crypto-pitch"), k("deposit"), s("F2")]),
        event("E08", p.msg_time(&k("sos-deleted")), "Lucas tells his mother (Vietnamese), then deletes the message", &["P1", "P5"], vec![k("sos-deleted"), k("ransom")]),
        event("E09", p.msg_time(&k("punish")), "Punishment threat for missed quota", &["P3", "P10"], vec![k("punish"), k("revoked")]),
        event("E10", p.msg_time(&k("release-account")) + 2 * 86_400, "Mother pays a 'release fee' to an account controlled by the network", &["P5", "P3"], vec![s("F4")]),
        event("E11", p.msg_time(&k("friend-worry")), "Friend alerts the embassy", &["P6", "P1"], vec![k("friend-worry"), s("ios-lucas:visit:https://www.example.org/ambassade/urgence")]),
    ];
    b.plan.events = events;
    b.plan
}
