//! Scenario `loverboy-ads`: "loverboy" recruitment into sexual exploitation, then online ads
//! (online-trafficking-greta.md §3.1 SX-xx, §3.3 RC-xx, §3.5 CT-xx, §3.6 FN-xx; §7.7 S1/S3).
//!
//! A young man ("Cristi") poses as wealthy on a dating site, grooms a Romanian student (Ioana)
//! over WhatsApp (interest in her family problems, gifts, marriage promises), asks for a private
//! photo, brings her to Lyon with a story about a restaurant job, then hands her to a booker
//! (Florin) who posts ads for several women with the same phone number, under different names and
//! cities, reusing their photos (resized, cropped, mirrored, with text). A second woman (Larisa)
//! was recruited the same way earlier; a third (Nicoleta) appears only in the ads and the booker's
//! planning. Seized: Ioana's iPhone, Cristi's Android phone, Florin's laptop, Larisa's Android.
//!
//! No picture shows a person: the "photos of the women" are landscapes, animals and objects.

#![allow(clippy::too_many_arguments)]

use super::Scale;
use super::images::{Format, ImageSpec, Transform};
use super::plan::*;
use super::rng::Rng;
use super::story::{Builder, android_photo_names, camera, empty_plan, event, flow, mark_attributed, person, s, thread};
use super::timefmt::{date_local, paris_offset, parts};

/// Scenario name.
pub const NAME: &str = "loverboy-ads";
/// Title.
pub const TITLE: &str = "Loverboy recruitment and online ads with a shared phone number";
/// Summary.
pub const SUMMARY: &str = "A man posing as wealthy on a dating site grooms a young Romanian woman (gifts, marriage promises, a \
private photo), brings her to Lyon with a restaurant-job story and hands her to a booker who advertises several women with \
the same phone number, under different names and cities, with near-duplicate photos. Four devices: the victim's iPhone \
(TAR and ZIP), the loverboy's Android phone and a second victim's Android phone (TAR.GZ), the booker's laptop with saved ad \
pages (folder). Trainees cluster the ads by number and by picture (SX-01, SX-07), follow the RC-04→RC-07 grooming sequence \
and the control messages (CT-xx), and rebuild the money flow (FN-02, RC-09).";

// Persons.
const IOANA: usize = 0;
const CRISTI: usize = 1;
const FLORIN: usize = 2;
const LARISA: usize = 3;
const NICOLETA: usize = 4;
const MAMA: usize = 5;
const CAMILLE: usize = 6;
const OPERATOR: usize = 7;
// Devices.
const IPHONE: usize = 0;
const CRISTI_PHONE: usize = 1;
const LAPTOP: usize = 2;
const LARISA_PHONE: usize = 3;

/// The number printed in every ad of the cluster (the booker's phone).
const AD_NUMBER: &str = "+33699110555";

struct Ad {
    file: &'static str,
    alias: &'static str,
    age: u32,
    city: &'static str,
    woman: usize,
    phone_shown: &'static str,
    id: u32,
}

const ADS: &[Ad] = &[
    Ad { file: "bianca-lyon", alias: "Bianca", age: 22, city: "Lyon", woman: IOANA, phone_shown: "06 99 11 05 55", id: 4417 },
    Ad { file: "sofia-marseille", alias: "Sofia", age: 21, city: "Marseille", woman: IOANA, phone_shown: "06.99.11.05.55", id: 5120 },
    Ad { file: "jade-nice", alias: "Jade", age: 23, city: "Nice", woman: LARISA, phone_shown: "+33 6 99 11 05 55", id: 3981 },
    Ad { file: "chloe-paris", alias: "Chloé", age: 24, city: "Paris", woman: LARISA, phone_shown: "0699110555", id: 6032 },
    Ad { file: "nina-bordeaux", alias: "Nina", age: 22, city: "Bordeaux", woman: NICOLETA, phone_shown: "06 99 11 05 55", id: 2874 },
];

fn ad_url(ad: &Ad) -> String {
    format!("https://annonces-rencontres.example/{}/{}-{}-{}", ad.city.to_lowercase(), ad.alias.to_lowercase().replace('é', "e"), ad.age, ad.id)
}

fn ad_html(ad: &Ad, rng: &mut Rng, photo: &str) -> String {
    let intro = rng
        .pick(&[
            "Elle est nouvelle en ville et vous attend, discrétion assurée.",
            "Jeune femme douce, disponible ce week-end seulement, elle parle un peu anglais.",
            "Elle vient d'arriver, très câline, appelez vite, english spoken.",
        ])
        .to_string();
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">\n<title>{alias}, {age} ans – {city} – Annonces Rencontres</title>\n\
<!-- saved from url=({len:04}){url} -->\n</head><body>\n<div class=\"annonce\" data-id=\"{id}\">\n<h1>{alias}, {age} ans, {city}</h1>\n\
<img src=\"{photo}\" alt=\"{alias}\" width=\"320\">\n<p>{intro}</p>\n<p class=\"contact\">Tél / WhatsApp : {phone}</p>\n\
<p class=\"meta\">Annonce n° {id} · publiée par « agence » · paiement paysafecard accepté</p>\n</div>\n</body></html>\n",
        alias = ad.alias,
        age = ad.age,
        city = ad.city,
        len = ad_url(ad).len(),
        url = ad_url(ad),
        id = ad.id,
        phone = ad.phone_shown,
    )
}

const NOISE_RO: &[&str] = &["Ai mâncat?", "Da, totul e bine ❤️", "Te sun diseară", "Ok 👍", "Mulțumesc!", "Ce faci?", "Pupici 😘", "Noapte bună", "Mi-e dor de tine mamă", "Am fost la cursuri azi"];
const NOISE_FR: &[&str] = &["Ça va ?", "Trop bien 😂", "On se voit quand ?", "Bonne soirée !", "T'as vu ça ?", "Je suis en cours là", "Bisous 😘", "ok ok"];

/// Build the plan for `seed` and `scale`.
pub fn build(seed: u64, scale: Scale) -> Plan {
    let root = Rng::new(seed);
    let day0 = 1_709_510_400 + (seed % 97) as i64 * 86_400;
    let mut persons = vec![
        person("P1", "Ioana", "Stan", &["victim", "recruit"], Some("+33699110201"), &["ro", "fr", "en"]),
        person("P2", "Cristian", "Dobre", &["recruiter", "exploiter", "loverboy"], Some("+33699110333"), &["ro", "fr", "en"]),
        person("P3", "Florin", "Ganea", &["controller", "advertiser", "booker"], Some(AD_NUMBER), &["ro", "fr"]),
        person("P4", "Larisa", "Mihai", &["victim"], Some("+33699110202"), &["ro", "fr"]),
        person("P5", "Nicoleta", "Radu", &["victim"], None, &["ro"]),
        person("P6", "Maria", "Stan", &["family", "uninvolved"], Some("+33699110601"), &["ro"]),
        person("P7", "Camille", "Lefort", &["friend", "uninvolved"], Some("+33699110602"), &["fr"]),
        person("P8", "InfoMobile", "", &["automated-sender"], None, &["fr"]),
    ];
    persons[IOANA].whatsapp = true;
    persons[IOANA].push_name = Some(s("Ioana 🌸"));
    persons[IOANA].android_address = Some(s("0699110201"));
    persons[CRISTI].whatsapp = true;
    persons[CRISTI].push_name = Some(s("Cristi 💎"));
    persons[CRISTI].email = Some(s("cristi.dobre.lux@example.com"));
    persons[FLORIN].whatsapp = true;
    persons[FLORIN].push_name = Some(s("Flo"));
    persons[FLORIN].email = Some(s("florin.g.media@example.org"));
    persons[FLORIN].android_address = Some(s("0699110555"));
    persons[LARISA].whatsapp = true;
    persons[LARISA].push_name = Some(s("Lari"));
    persons[LARISA].email = Some(s("larisa.mihai99@example.com"));
    persons[LARISA].android_address = Some(s("06 99 11 02 02"));
    persons[OPERATOR].sender_id = Some(s("InfoMobile"));

    let devices = vec![
        Device { id: s("ios-ioana"), kind: DeviceKind::Ios, owner: IOANA, make: s("Apple"), model: s("iPhone 11") },
        Device { id: s("android-cristi"), kind: DeviceKind::Android, owner: CRISTI, make: s("Xiaomi"), model: s("Redmi Note 12") },
        Device { id: s("laptop-florin"), kind: DeviceKind::Laptop, owner: FLORIN, make: s("HP"), model: s("ProBook 450") },
        Device { id: s("android-larisa"), kind: DeviceKind::Android, owner: LARISA, make: s("samsung"), model: s("SM-A145R") },
    ];
    let mut threads = vec![
        thread("T1", Channel::WhatsApp, &[CRISTI, IOANA]),
        thread("T2", Channel::Sms, &[IOANA, CRISTI]),
        thread("T3", Channel::WhatsApp, &[CRISTI, FLORIN]),
        thread("T4", Channel::WhatsApp, &[CRISTI, LARISA]),
        thread("T5", Channel::Sms, &[FLORIN, IOANA]),
        thread("T6", Channel::Sms, &[IOANA, MAMA]),
        thread("T7", Channel::IMessage, &[IOANA, CAMILLE]),
        thread("T8", Channel::WhatsApp, &[CRISTI, IOANA, LARISA, FLORIN]),
        thread("T9", Channel::Sms, &[LARISA, IOANA]),
        thread("T10", Channel::Sms, &[OPERATOR, IOANA]),
        thread("T11", Channel::Sms, &[FLORIN, LARISA]),
    ];
    threads[7].group = Some(Group { name: s("Fete Lyon 💅"), jid: s("120363055512340987@g.us"), admin: CRISTI, created: day0 + 86_400 + 20 * 3600 });
    let (t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11) = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    let plan = empty_plan(NAME, seed, scale, day0, persons, devices, threads);
    let mut b = Builder::new(&root, day0, plan);
    b.plan.notes.push(s("Ad pages are saved copies ('Save page as…') on the booker's laptop; the ad site annonces-rencontres.example is invented."));
    b.plan.notes.push(s("The same woman appears in several ads under different names and cities; the photos are near-duplicates of one base photo (see near_duplicate_groups)."));

    // Base photos (proxies: no person is ever shown).
    let b_ioana = b.base("Ioana's 'portrait' (proxy): sent to Cristi, reused in the Bianca/Lyon and Sofia/Marseille ads");
    let b_larisa = b.base("Larisa's 'portrait' (proxy): reused in the Jade/Nice and Chloé/Paris ads");
    let b_nicoleta = b.base("Nicoleta's 'portrait' (proxy): Nina/Bordeaux ad");
    let b_car = b.base("sports car at a dealership: Cristi's 'wealth' photo on his dating profile");
    let b_lyon = b.base("view of Lyon (background, Ioana's camera roll)");
    let b_flat = b.base("the flat where the women are lodged");
    let b_other_ad = b.base("unrelated ad photo (Emma/Toulouse, another advertiser) — must not be grouped");

    // --- T1: WhatsApp grooming, Romanian (RC-04, RC-06, RC-07, RC-03).
    b.msg("first-msg", t1, CRISTI, (-40, 21, 5), "ro", &[
        "Bună Ioana, am văzut profilul tău pe Rencontres și nu m-am putut abține 😊 Sunt Cristi.",
        "Salut frumoaso, ți-am scris pe site dar e mai simplu aici. Cristi 😉",
        "Bună! Cristi de pe aplicația de întâlniri. Ai un zâmbet superb.",
    ], &["RC-08"]);
    b.msg("", t1, IOANA, (-40, 21, 30), "ro", &["Bună 🙂 mersi. Ce faci în Franța?"], &[]);
    b.msg("wealth", t1, CRISTI, (-40, 21, 34), "ro", &[
        "Am o firmă de import de mașini la Lyon. Merge bine, slavă Domnului 🚗💰",
        "Lucrez în imobiliare și mașini de lux, între Lyon și Monaco. Nu mă plâng 😎",
        "Am două restaurante și fac și comerț cu mașini. Viața e frumoasă aici.",
    ], &["RC-04"]);
    b.msg("", t1, IOANA, (-38, 20, 2), "ro", &["Eu sunt studentă la Iași, e greu cu banii acum..."], &[]);
    b.msg("weakness", t1, CRISTI, (-38, 20, 10), "ro", &[
        "Povestește-mi de familia ta. Mama ta e singură? Tatăl tău v-a lăsat?",
        "Și cu mama cum e? Mi-ai zis că tata nu mai e acasă... te ascult, pe bune.",
        "Spune-mi tot, de ce plângi seara? Problemele de acasă? Eu sunt aici pentru tine.",
    ], &["RC-06"]);
    b.msg("", t1, IOANA, (-38, 20, 25), "ro", &["Mama are datorii la bancă și eu nu pot ajuta. Tata a plecat de mult."], &[]);
    b.msg("support", t1, CRISTI, (-36, 19, 40), "ro", &[
        "Ți-am trimis 200 de euro pentru mama ta. Nu-mi datorezi nimic, așa fac eu pentru cei dragi ❤️",
        "Am pus niște bani pentru rata mamei tale, să nu mai plângi. Doar să-mi zâmbești 😘",
        "Lasă, plătesc eu factura aia. Pentru tine orice.",
    ], &["RC-06"]);
    b.msg("", t1, IOANA, (-36, 19, 45), "ro", &["Nu trebuia... mulțumesc mult 🥺❤️"], &[]);
    b.msg("marriage", t1, CRISTI, (-25, 22, 0), "ro", &[
        "Vreau să fii a mea pentru totdeauna. Vara asta facem nunta, îți promit 💍",
        "Te iubesc. Vino la mine și ne căsătorim, vreau copii cu tine.",
        "Știu că pare repede, dar vreau să te iau de nevastă. Vino în Franța la mine 💍❤️",
    ], &["RC-06"]);
    b.msg("intimate-request", t1, CRISTI, (-20, 23, 10), "ro", &[
        "Trimite-mi o poză mai intimă, doar pentru mine, să nu-mi fie dor 🙈",
        "Fă-mi o poză specială, doar a mea, nimeni n-o vede niciodată.",
        "Dacă mă iubești îmi trimiți o poză din aia... doar pentru ochii mei.",
    ], &["RC-07"]);
    b.msg("", t1, IOANA, (-20, 23, 20), "ro", &["Mi-e rușine... poate mai târziu"], &[]);
    b.msg("job-offer", t1, CRISTI, (-12, 18, 30), "ro", &[
        "Am vorbit cu un prieten, îți dă de lucru la restaurant în Lyon, 1800 pe lună, stai la mine.",
        "Poți lucra la restaurantul unui amic, bani buni, nu trebuie franceză. Biletul îl plătesc eu.",
        "Vino, îți găsesc de lucru ca ospătăriță, se câștigă foarte bine aici. Eu iau biletul.",
    ], &["RC-03"]);
    b.msg("ticket", t1, CRISTI, (-5, 12, 0), "ro", &["Ți-am luat biletul de autobuz Iași–Lyon, plecare joi. Nu spune nimic nimănui încă 🤫"], &["CT-09"]);
    b.msg("", t1, IOANA, (0, 19, 0), "ro", &["Am ajuns!! 😍"], &[]);
    b.msg("debt", t1, CRISTI, (3, 10, 5), "ro", &[
        "Restaurantul nu mai angajează. Până găsim altceva, îmi datorezi drumul, chiria și banii dați mamei tale: 2000 €.",
        "Știi că ai o datorie: bilet, apartament, banii pentru mama ta. 2.000 de euro. Trebuie să-i dai înapoi.",
        "Nu mai e postul la restaurant. Dar datoria rămâne, 2000, și trebuie plătită repede.",
    ], &["CT-09"]);
    b.msg("ads-up", t1, CRISTI, (3, 10, 12), "ro", &[
        "Florin ți-a pus anunțul. Răspunzi la numărul lui, el îți spune unde și când.",
        "Anunțurile sunt online, Florin se ocupă de telefon. Tu doar faci ce-ți zice.",
        "De azi lucrezi cu Florin. El gestionează anunțurile și programările.",
    ], &["SX-04"]);
    let threat_photos = b.msg("threat-photos", t1, CRISTI, (14, 23, 40), "ro", &[
        "Dacă mai plângi la telefon cu maică-ta, trimit poza aia la toată lumea din Iași.",
        "Nu uita ce poze am cu tine. Un singur cuvânt și le vede tot satul tău.",
        "Mai zi o dată că pleci și postez pozele tale peste tot.",
    ], &["CT-06", "CT-11"]);
    b.plan.messages[threat_photos].fates.push((CRISTI_PHONE, Fate::Revoked));
    b.plan.messages[threat_photos].fates.push((IPHONE, Fate::Revoked));
    b.msg("", t1, IOANA, (14, 23, 45), "ro", &["Te rog nu... fac ce vrei"], &[]);

    // --- T2: SMS/MMS: the photo that becomes the ads' photo.
    let photo_msg = b.msg("portrait-mms", t2, IOANA, (-6, 20, 14), "ro", &["Uite, pentru tine 🙈"], &[]);
    b.attach(photo_msg, "A1", "IMG_0042.JPG", Some((47.1585, 27.6014)), ImageSpec::base(b_ioana, vec![Transform::Fit { width: 480, height: 360 }, Transform::Reencode { quality: 70 }], Format::Jpeg(85)));
    b.msg("", t2, CRISTI, (-6, 20, 20), "ro", &["Superbă ❤️ o păstrez doar eu"], &[]);
    b.msg("flat-address", t2, CRISTI, (0, 17, 2), "fr", &["Appart rue de l'Exemple 14, 3e gauche. Code 4071B."], &["CT-09"]);

    // --- T3: loverboy ↔ booker, WhatsApp, French and English (SX-01, SX-03, SX-08, CT-08, FN-02).
    b.msg("ads-plan", t3, CRISTI, (1, 21, 0), "fr", &[
        "La nouvelle est là. Tu la mets à Lyon en Bianca et à Marseille en Sofia, même numéro que les autres.",
        "Mets Ioana sur deux villes : Bianca à Lyon, Sofia à Marseille. Ton numéro sur les deux.",
        "Nouvelle fille. Deux annonces, Lyon et Marseille, noms différents, le numéro habituel.",
    ], &["SX-01", "SX-03", "SX-04"]);
    b.msg("photo-edit", t3, FLORIN, (1, 21, 6), "fr", &[
        "Ok. Je recadre la photo et je la retourne pour Marseille, sinon le site la bloque.",
        "Je mets la photo en plus petit avec le nom dessus, et une version miroir pour l'autre ville.",
        "Je change un peu la photo pour chaque annonce (coupée, inversée), comme d'hab.",
    ], &["SX-07"]);
    b.msg("paysafe", t3, FLORIN, (2, 9, 30), "fr", &[
        "J'ai payé les annonces avec 3 paysafecard de 50, les codes sont dans le fichier.",
        "150 € de paysafe pour les annonces, je te le retiens sur la semaine.",
        "Annonces payées en paysafecard (3 x 50), rien à mon nom 😉",
    ], &["FN-02", "SX-12"]);
    b.msg("prices", t3, FLORIN, (4, 18, 0), "fr", &[
        "Tarifs : 150 la demi-heure, 250 l'heure. Elle me donne tout le soir, je te fais ta part.",
        "Je fixe les prix et les hôtels, elle ne discute pas avec les clients. Part à toi demain.",
        "Les RDV c'est moi qui négocie, lieu et prix. Elle encaisse et me remet tout.",
    ], &["CT-08", "RC-09"]);
    b.msg("rotation", t3, CRISTI, (18, 20, 30), "en", &[
        "Move her to Marseille next week, Lyon is too hot now. Same number on the ad.",
        "Next week she goes to Marseille, change the city on the ad, keep the phone.",
        "Rotate her: Marseille from Monday. Ads stay with your number.",
    ], &["SX-08", "SX-01"]);
    b.msg("", t3, FLORIN, (18, 20, 35), "en", &["ok boss 👍"], &[]);
    b.msg("share", t3, FLORIN, (21, 22, 10), "fr", &["Ta part de la semaine : 2 400. En liquide comme d'hab."], &["RC-09"]);

    // --- T4: loverboy ↔ second victim (CT-02, CT-05, RC-09).
    b.msg("", t4, CRISTI, (-3, 10, 0), "ro", &["Lari, vine o fată nouă joi. Ai grijă de ea, explică-i cum merge."], &[]);
    b.msg("location", t4, CRISTI, (5, 22, 15), "ro", &[
        "De ce ți-ai oprit localizarea? Pornește-o acum, vreau să văd unde ești.",
        "Nu te văd pe hartă. Activează partajarea locației, imediat.",
        "Localizarea ta e oprită iar. Știi regula.",
    ], &["CT-02"]);
    b.msg("", t4, LARISA, (5, 22, 17), "ro", &["Am pornit-o, bateria era pe zero"], &[]);
    b.msg("family-threat", t4, CRISTI, (26, 0, 20), "ro", &[
        "Dacă pleci, fratele tău află tot. Știu unde merge la școală.",
        "Gândește-te la fratele tău mic înainte să faci prostii.",
        "Pleci și familia ta plătește. Știu adresa lor din Bacău.",
    ], &["CT-05"]);
    b.msg("", t4, LARISA, (30, 21, 0), "ro", &["Ți-am lăsat banii în sertar, 640"], &["RC-09"]);

    // --- T5: booker ↔ Ioana, SMS, French (CT-01, CT-08).
    b.msg("booking", t5, FLORIN, (4, 19, 10), "fr", &[
        "RDV 21h hôtel du Parc Exemple ch. 112. Tu m'envoies un SMS en entrant et en sortant.",
        "21h, hôtel Exemple Part-Dieu, chambre 112. Message avant et après, obligatoire.",
        "Client 21h, hôtel du Parc Exemple, 112. Tu me préviens quand c'est fini.",
    ], &["CT-08", "CT-01"]);
    b.msg("report", t5, IOANA, (4, 22, 5), "fr", &["fini. 250", "C'est fait, 250", "terminé 250€"], &["CT-01"]);
    b.msg("", t5, FLORIN, (4, 22, 6), "fr", &["Ok. Tu gardes rien, tu me donnes tout ce soir."], &["RC-09"]);
    b.msg("report2", t5, IOANA, (9, 23, 50), "fr", &["fini 150. 3 aujourd'hui", "3 clients aujourd'hui, 150 le dernier"], &["CT-01"]);

    // --- T6: Ioana ↔ mother.
    b.noise(t6, MAMA, (-30, 19, 0), "ro", "Ai mâncat, draga mea?");
    b.noise(t6, IOANA, (-30, 19, 4), "ro", "Da mamă, am fost la cursuri azi");
    b.msg("", t6, IOANA, (-10, 20, 0), "ro", &["Mamă, Cristi vrea să ne căsătorim vara asta! Merg la el în Franța 😍"], &[]);
    b.msg("", t6, MAMA, (-10, 20, 5), "ro", &["Ai grijă, fata mea. Nici nu l-ai văzut niciodată..."], &[]);
    let help = b.msg("help-deleted", t6, IOANA, (16, 2, 10), "ro", &[
        "Mamă, nu e bine deloc aici. Nu e niciun restaurant. Nu pot să-ți spun mai mult.",
        "Mamă, m-a mințit. Nu lucrez la restaurant. Mi-e frică.",
        "Nu e ce credeam, mamă... nu pot vorbi, șterg mesajul.",
    ], &[]);
    b.plan.messages[help].fates.push((IPHONE, Fate::RecentlyDeleted));
    b.noise(t6, MAMA, (16, 8, 0), "ro", "Ioana? Sună-mă te rog 😢");
    b.msg("", t6, IOANA, (16, 9, 30), "ro", &["Totul e bine mamă, am glumit. Te pup ❤️"], &[]);

    // --- T7: Ioana ↔ Camille, iMessage, French.
    b.noise(t7, CAMILLE, (-15, 17, 0), "fr", "Coucou ! Tu viens à Lyon quand ? 😊");
    b.noise(t7, IOANA, (-15, 17, 10), "fr", "Bientôt ! Mon copain habite là-bas");
    b.msg("", t7, CAMILLE, (12, 18, 0), "fr", &["T'es bizarre depuis que t'es arrivée... tout va bien avec ton mec ?"], &[]);
    b.noise(t7, IOANA, (12, 18, 30), "fr", "Oui oui t'inquiète, je suis juste fatiguée");

    // --- T8: WhatsApp group (CT-01 rules, revoked message).
    b.msg("", t8, CRISTI, (2, 20, 0), "ro", &["Bine ai venit Ioana 👋"], &[]);
    b.msg("group-rules", t8, FLORIN, (2, 20, 5), "ro", &[
        "Reguli: după fiecare client scrieți aici suma. Fără excepții.",
        "Fiecare client se anunță în grup, cu banii. Cine uită plătește amendă.",
        "Raportați aici după fiecare programare: oră și sumă.",
    ], &["CT-01"]);
    b.msg("", t8, LARISA, (2, 20, 9), "ro", &["Ok"], &[]);
    let revoked = b.msg("revoked", t8, CRISTI, (6, 1, 0), "ro", &["Cine nu aduce 500 pe zi doarme pe hol."], &["CT-01"]);
    b.plan.messages[revoked].fates = vec![(IPHONE, Fate::Revoked), (CRISTI_PHONE, Fate::Revoked), (LARISA_PHONE, Fate::Revoked)];
    b.msg("group-report", t8, LARISA, (7, 23, 30), "ro", &["2 azi, 400", "400, două", "azi 2 – 400"], &["CT-01"]);

    // --- T9: victims compare notes (SX-07).
    b.msg("same-photo", t9, LARISA, (12, 15, 0), "ro", &[
        "Ioana, te-am văzut pe site la Marseille, te cheamă „Sofia”... și pe mine m-a pus Chloé la Paris, cu poza întoarsă.",
        "Uită-te, poza ta e și la Lyon și la Marseille, cu alte nume. La fel au făcut cu mine.",
        "Am găsit anunțurile, aceeași poză la tine cu două nume. Eu sunt „Jade” la Nisa, n-am fost niciodată acolo.",
    ], &["SX-07", "SX-01"]);
    b.msg("", t9, IOANA, (12, 15, 5), "ro", &["Știu... am făcut o captură. Nu spune nimic lui Cristi"], &[]);
    b.msg("", t9, LARISA, (29, 11, 0), "fr", &["Il y a une association à Lyon qui aide, j'ai le numéro"], &[]);

    // --- T10 operator, T11 booker ↔ Larisa.
    b.noise(t10, OPERATOR, (-20, 10, 0), "fr", "InfoMobile : votre forfait a été renouvelé. Solde : 50 Go.");
    b.noise(t10, OPERATOR, (20, 10, 0), "fr", "InfoMobile : vous avez consommé 80% de votre enveloppe data.");
    b.msg("booking-larisa", t11, FLORIN, (6, 18, 40), "fr", &[
        "22h hôtel Exemple Confluence ch. 31. Message en sortant.",
        "RDV 22h, hôtel Exemple Confluence, 31. Tu confirmes après.",
    ], &["CT-08", "CT-01"]);
    b.msg("", t11, LARISA, (6, 23, 20), "fr", &["fini 250"], &["CT-01"]);

    // Light noise (more at large scale; bulk noise comes on top).
    let mut nr = root.fork("noise");
    let per_thread = match scale {
        Scale::Small => 3,
        Scale::Large => 60,
    };
    for _ in 0..per_thread {
        let from = if nr.chance(0.5) { IOANA } else { MAMA };
        let text = *nr.pick(NOISE_RO);
        b.noise(t6, from, (nr.range(-35, 38), nr.range(8, 22), nr.range(0, 59)), "ro", text);
        let from = if nr.chance(0.5) { IOANA } else { CAMILLE };
        let text = *nr.pick(NOISE_FR);
        b.noise(t7, from, (nr.range(-35, 38), nr.range(8, 23), nr.range(0, 59)), "fr", text);
        let from = *nr.pick(&[CRISTI, IOANA, LARISA]);
        let text = *nr.pick(&["Ok", "👍", "Da", "Bine", "😴", "Unde ești?", "Vin acum"]);
        b.noise(t8, from, (nr.range(3, 38), nr.range(10, 23), nr.range(0, 59)), "ro", text);
    }

    let labels = b.finish_messages();
    let k = |l: &str| labels.get(l).cloned().unwrap_or_else(|| format!("?{l}"));
    mark_attributed(&mut b.plan, &root, day0, 10);

    // Calls.
    b.call("C01", CRISTI, IOANA, (-30, 22, 0), 1260, CallChannel::WhatsApp, false);
    b.call("C02", CRISTI, IOANA, (-12, 21, 0), 900, CallChannel::WhatsApp, false);
    b.call("C03", FLORIN, IOANA, (4, 19, 5), 60, CallChannel::Phone, false);
    b.call("C04", CRISTI, FLORIN, (1, 21, 15), 240, CallChannel::WhatsApp, false);
    b.call("C05", IOANA, MAMA, (16, 2, 5), 0, CallChannel::Phone, false);
    b.call("C06", FLORIN, LARISA, (6, 18, 35), 45, CallChannel::Phone, false);
    b.call("C07", CRISTI, LARISA, (26, 0, 15), 180, CallChannel::WhatsApp, false);
    let mut cr = root.fork("calls");
    let extra = match scale {
        Scale::Small => 4,
        Scale::Large => 40,
    };
    for i in 0..extra {
        let other = if cr.chance(0.6) { MAMA } else { CAMILLE };
        let (from, to) = if cr.chance(0.5) { (IOANA, other) } else { (other, IOANA) };
        let dur = if cr.chance(0.85) { cr.range(20, 1500) } else { 0 };
        b.call(&format!("C{:02}", 8 + i), from, to, (cr.range(-35, 38), cr.range(8, 22), cr.range(0, 59)), dur, CallChannel::Phone, true);
    }
    b.plan.calls.sort_by_key(|c| c.t);

    // Address books: the booker's number under a different name on each phone.
    b.contact(IPHONE, MAMA, "Mama", "", Some("+33 6 99 11 06 01"), None, -60, false);
    b.contact(IPHONE, CAMILLE, "Camille", "Lyon", Some("06 99 11 06 02"), None, -50, false);
    b.contact(IPHONE, CRISTI, "Cristi", "❤️", Some("+33 6 99 11 03 33"), None, -40, false);
    b.contact(IPHONE, FLORIN, "Rezervări", "", Some("06 99 11 05 55"), None, 3, true);
    b.contact(IPHONE, LARISA, "Lari", "", Some("+33699110202"), None, 2, true);
    b.contact(CRISTI_PHONE, IOANA, "Ioana", "Iași", Some("0699110201"), None, -40, false);
    b.contact(CRISTI_PHONE, LARISA, "Larisa", "", Some("06 99 11 02 02"), Some("larisa.mihai99@example.com"), -120, false);
    b.contact(CRISTI_PHONE, FLORIN, "Florin", "anunțuri", Some("+33 6 99 11 05 55"), Some("florin.g.media@example.org"), -200, false);
    b.contact(LARISA_PHONE, CRISTI, "Cristi", "", Some("+33699110333"), None, -120, false);
    b.contact(LARISA_PHONE, FLORIN, "Flo", "", Some("0699110555"), None, -110, false);
    b.contact(LARISA_PHONE, IOANA, "Ioana", "nouă", Some("06 99 11 02 01"), None, 2, false);

    // Browsing.
    b.visit(CRISTI_PHONE, (-45, 22, 0), "https://rencontres.example/profil/cristi-lux", "Cristi, 29 – Lyon – Rencontres", true, None, &["RC-04", "RC-08"], false);
    b.visit(CRISTI_PHONE, (-41, 21, 50), "https://rencontres.example/messages/ioana-s-20", "Messages – Rencontres", false, None, &["RC-08"], false);
    b.visit(CRISTI_PHONE, (-8, 14, 0), "https://search.example.com/search?q=bilet+autobuz+iasi+lyon", "bilet autobuz iasi lyon - Search", true, Some("bilet autobuz iasi lyon"), &["CT-09"], false);
    b.visit(CRISTI_PHONE, (3, 11, 0), &ad_url(&ADS[0]), "Bianca, 22 ans, Lyon – Annonces Rencontres", false, None, &["SX-01"], false);
    b.visit(IPHONE, (-41, 21, 40), "https://rencontres.example/profil/cristi-lux", "Cristi, 29 – Lyon – Rencontres", false, None, &["RC-04"], false);
    b.visit(IPHONE, (12, 14, 40), &ad_url(&ADS[1]), "Sofia, 21 ans, Marseille – Annonces Rencontres", false, None, &["SX-07", "SX-08"], false);
    b.visit(IPHONE, (29, 11, 10), "https://www.example.org/aide-victimes-exploitation", "Aide aux victimes d'exploitation – ligne gratuite", false, None, &[], false);
    b.visit(LARISA_PHONE, (12, 14, 30), &ad_url(&ADS[3]), "Chloé, 24 ans, Paris – Annonces Rencontres", false, None, &["SX-07"], false);
    b.visit(LARISA_PHONE, (12, 14, 33), &ad_url(&ADS[1]), "Sofia, 21 ans, Marseille – Annonces Rencontres", false, None, &["SX-01", "SX-07"], false);
    b.visit(LAPTOP, (1, 22, 0), "https://annonces-rencontres.example/mon-compte/publier", "Publier une annonce – Annonces Rencontres", true, None, &["SX-04"], false);
    for ad in ADS {
        b.visit(LAPTOP, (2, 9, 10 + ad.id as i64 % 40), &ad_url(ad), &format!("{}, {} ans, {} – Annonces Rencontres", ad.alias, ad.age, ad.city), false, None, &["SX-01", "SX-03"], false);
    }
    b.visit(LAPTOP, (2, 9, 20), "https://annonces-rencontres.example/paiement?methode=paysafecard", "Paiement – paysafecard – Annonces Rencontres", false, None, &["FN-02", "SX-12"], false);
    b.visit(LAPTOP, (2, 9, 55), "https://annonces-rencontres.example/toulouse/emma-25-7001", "Emma, 25 ans, Toulouse – Annonces Rencontres", false, None, &[], false);
    let mut vr = root.fork("visits");
    let extra_visits = match scale {
        Scale::Small => 3,
        Scale::Large => 50,
    };
    let sites: &[(&str, &str)] = &[
        ("https://news.example.com/", "Actualités"),
        ("https://meteo.example.org/lyon", "Météo Lyon"),
        ("https://video.example.com/watch?v=muzica", "Muzică nouă"),
        ("https://shop.example.com/rochii", "Rochii"),
        ("https://univ.example.org/iasi/orar", "Orar – Universitatea"),
    ];
    for dev in [IPHONE, CRISTI_PHONE, LAPTOP, LARISA_PHONE] {
        for _ in 0..extra_visits {
            let (url, title) = *vr.pick(sites);
            let when = (vr.range(-40, 38), vr.range(7, 23), vr.range(0, 59));
            let typed = vr.chance(0.3);
            b.visit(dev, when, url, title, typed, None, &[], true);
        }
    }
    b.plan.visits.sort_by_key(|v| (v.device, v.t));

    // Camera rolls.
    b.photo(IPHONE, "IMG_0042.JPG", (-6, 20, 10), Some((47.1585, 27.6014)), "Ioana's 'portrait' (proxy), later reused in ads", camera(b_ioana));
    b.photo(IPHONE, "IMG_0044.JPG", (1, 16, 0), Some((45.7597, 4.8320)), "view of Lyon", camera(b_lyon));
    b.photo(IPHONE, "IMG_0047.JPG", (2, 11, 0), Some((45.7485, 4.8467)), "the flat (rue de l'Exemple)", camera(b_flat));
    b.photo(CRISTI_PHONE, "car.jpg", (-50, 15, 0), Some((45.7700, 4.8600)), "sports car at a dealership (profile 'wealth' photo)", camera(b_car));
    b.photo(LARISA_PHONE, "selfie.jpg", (-100, 18, 0), Some((46.5670, 26.9146)), "Larisa's 'portrait' (proxy), later reused in ads", camera(b_larisa));
    b.photo(LARISA_PHONE, "room.jpg", (2, 10, 0), Some((45.7486, 4.8466)), "the flat (same room)", ImageSpec::base(b_flat, vec![Transform::Mirror, Transform::Crop { percent: 85 }, Transform::Fit { width: 480, height: 360 }], Format::Jpeg(84)));
    android_photo_names(&mut b.plan);

    // Saved ad pages on the booker's laptop: every picture is a near-duplicate of one base.
    let ad_dir = "Users/florin/Documents/annonces";
    let ad_transforms = |ad: &Ad| -> Vec<Transform> {
        let label = format!("{} {} {}", ad.alias, ad.age, ad.city);
        match ad.file {
            "bianca-lyon" => vec![Transform::Resize { percent: 50 }, Transform::TextOverlay { text: label }],
            "sofia-marseille" => vec![Transform::Crop { percent: 80 }, Transform::Mirror, Transform::Resize { percent: 60 }, Transform::Reencode { quality: 60 }],
            "jade-nice" => vec![Transform::Resize { percent: 60 }, Transform::TextOverlay { text: label }],
            "chloe-paris" => vec![Transform::Mirror, Transform::Crop { percent: 85 }, Transform::Resize { percent: 50 }],
            _ => vec![Transform::Resize { percent: 50 }, Transform::Reencode { quality: 55 }],
        }
    };
    let mut ar = root.fork("ads");
    for ad in ADS {
        let base = match ad.woman {
            IOANA => b_ioana,
            LARISA => b_larisa,
            _ => b_nicoleta,
        };
        let img = format!("{}_files/photo1.jpg", ad.file);
        let html = ad_html(ad, &mut ar, &img);
        let mentions = vec![(FLORIN, s("phone"), s(ad.phone_shown)), (ad.woman, s("ad-alias"), format!("{} ({}, {})", ad.alias, ad.age, ad.city))];
        b.document(LAPTOP, &format!("{ad_dir}/{}.html", ad.file), html, mentions, &["SX-01", "SX-03", "SX-05", "SX-07"]);
        let mut t = vec![Transform::Fit { width: 640, height: 480 }];
        t.extend(ad_transforms(ad));
        b.file(LAPTOP, &format!("{ad_dir}/{img}"), FileContent::Image { spec: ImageSpec::base(base, t, Format::Jpeg(80)), exif: None });
    }
    // An unrelated advertiser's page, different number and photo: a control.
    let emma = Ad { file: "emma-toulouse", alias: "Emma", age: 25, city: "Toulouse", woman: NICOLETA, phone_shown: "+44 7700 900 812", id: 7001 };
    let html = ad_html(&emma, &mut ar, "emma-toulouse_files/photo1.jpg");
    b.document(LAPTOP, &format!("{ad_dir}/emma-toulouse.html"), html, Vec::new(), &[]);
    b.file(LAPTOP, &format!("{ad_dir}/emma-toulouse_files/photo1.jpg"), FileContent::Image { spec: ImageSpec::base(b_other_ad, vec![Transform::Fit { width: 320, height: 240 }], Format::Jpeg(80)), exif: None });
    // Originals received by the booker, re-encoded by the messenger.
    b.file(LAPTOP, "Users/florin/Pictures/recues/IMG-ioana.jpg", FileContent::Image { spec: ImageSpec::base(b_ioana, vec![Transform::Fit { width: 480, height: 360 }, Transform::Reencode { quality: 70 }], Format::Jpeg(90)), exif: None });
    b.file(LAPTOP, "Users/florin/Pictures/recues/IMG-larisa.jpg", FileContent::Image { spec: ImageSpec::base(b_larisa, vec![Transform::Fit { width: 480, height: 360 }], Format::Jpeg(60)), exif: None });
    // WhatsApp media on the loverboy's phone (WhatsApp re-compresses).
    let wa_dir = "data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images";
    let d = |t: i64| {
        let (y, mo, d, _, _, _) = parts(t, paris_offset(t));
        format!("{y:04}{mo:02}{d:02}")
    };
    let t_forward = b.at(1, 21, 3);
    b.file(CRISTI_PHONE, &format!("{wa_dir}/Sent/IMG-{}-WA0003.jpg", d(t_forward)), FileContent::Image { spec: ImageSpec::base(b_ioana, vec![Transform::Fit { width: 480, height: 360 }, Transform::Reencode { quality: 70 }, Transform::Resize { percent: 90 }], Format::Jpeg(60)), exif: None });
    b.file(CRISTI_PHONE, &format!("{wa_dir}/Sent/IMG-{}-WA0004.jpg", d(t_forward)), FileContent::Image { spec: ImageSpec::base(b_larisa, vec![Transform::Fit { width: 480, height: 360 }, Transform::Resize { percent: 90 }], Format::Jpeg(60)), exif: None });
    // Screenshots of the ads found by the women.
    let t_shot = b.at(12, 14, 35);
    let (y, mo, dd, h, mi, se) = parts(t_shot, paris_offset(t_shot));
    b.file(
        LARISA_PHONE,
        &format!("data/media/0/Pictures/Screenshots/Screenshot_{y:04}{mo:02}{dd:02}-{h:02}{mi:02}{se:02}_Chrome.png"),
        FileContent::Image {
            spec: ImageSpec::base(b_larisa, vec![Transform::Fit { width: 640, height: 480 }, Transform::Mirror, Transform::Crop { percent: 85 }, Transform::Resize { percent: 50 }, Transform::ScreenshotPad { width: 360, height: 780 }], Format::Png),
            exif: None,
        },
    );
    b.file(
        IPHONE,
        "private/var/mobile/Media/DCIM/100APPLE/IMG_0051.PNG",
        FileContent::Image {
            spec: ImageSpec::base(b_ioana, vec![Transform::Fit { width: 640, height: 480 }, Transform::Crop { percent: 80 }, Transform::Mirror, Transform::Resize { percent: 60 }, Transform::ScreenshotPad { width: 390, height: 844 }], Format::Png),
            exif: None,
        },
    );
    b.plan.notes.push(s("IMG_0051.PNG in the iPhone's DCIM is a screenshot (no EXIF camera data); it is listed under near_duplicate_groups, not under photos."));

    // Laptop documents: booking planning (CT-01/CT-08), vouchers (FN-02), contacts note.
    let date = |t: i64| date_local(t, paris_offset(t));
    let mut planning = String::from("date;annonce;fille;ville;heure;lieu;montant;remis\r\n");
    let mut pr = root.fork("planning");
    let mut cash_ioana = 0i64;
    let mut cash_larisa = 0i64;
    let mut rows = 0;
    for day in 3..30 {
        for (alias, woman, city) in [("Bianca", IOANA, "Lyon"), ("Jade", LARISA, "Lyon"), ("Nina", NICOLETA, "Bordeaux")] {
            if !pr.chance(0.55) {
                continue;
            }
            let t = b.at(day, 21, 0);
            let amount = *pr.pick(&[150, 150, 250]);
            let name = match woman {
                IOANA => "I.",
                LARISA => "L.",
                _ => "N.",
            };
            let city = if woman == IOANA && day >= 20 { "Marseille" } else { city };
            planning.push_str(&format!("{};{alias};{name};{city};{}h;hôtel Exemple;{amount};oui\r\n", date(t), 19 + pr.below(4)));
            rows += 1;
            match woman {
                IOANA => cash_ioana += amount,
                LARISA => cash_larisa += amount,
                _ => {}
            }
        }
    }
    let planning_path = "Users/florin/Documents/planning_rdv.csv";
    b.document(
        LAPTOP,
        planning_path,
        planning,
        vec![(IOANA, s("initial"), s("I.")), (LARISA, s("initial"), s("L.")), (NICOLETA, s("initial"), s("N."))],
        &["CT-01", "CT-08", "RC-09"],
    );
    let t_codes = b.at(2, 9, 0);
    b.document(
        LAPTOP,
        "Users/florin/Documents/paysafe.txt",
        format!("codes annonces ({})\n0123 4567 8901 2345 - 50\n0123 4567 8901 2346 - 50\n0123 4567 8901 2347 - 50\n", date(t_codes)),
        Vec::new(),
        &["FN-02", "SX-12"],
    );
    b.document(
        LAPTOP,
        "Users/florin/Documents/contacts.txt",
        s("C. (patron) : +33 6 99 11 03 33 / cristi.dobre.lux@example.com\nL. : 06 99 11 02 02\nI. : 06 99 11 02 01\nN. : pas de téléphone, passe par moi\n"),
        vec![
            (CRISTI, s("phone"), s("+33699110333")),
            (CRISTI, s("email"), s("cristi.dobre.lux@example.com")),
            (LARISA, s("phone"), s("+33699110202")),
            (IOANA, s("phone"), s("+33699110201")),
        ],
        &["SX-04", "NW-01"],
    );
    b.document(LAPTOP, "Users/florin/Documents/courses.txt", s("eau\nchargeurs x3\ncartes SIM prépayées x2\ncafé\n"), Vec::new(), &[]);
    b.plan.notes.push(format!("planning_rdv.csv holds {rows} booking rows (random per seed)."));

    // Money.
    let t_ps = b.at(2, 9, 20);
    let t_support = b.msg_time(&k("support"));
    let t_share = b.msg_time(&k("share"));
    let t_wu = b.at(22, 16, 0);
    b.plan.money = vec![
        flow("F1", t_support, "P2", "P6", None, None, 20_000, "EUR", "transfer", "'help' for Ioana's mother (grooming: financial support)", &["RC-06", "FN-01"], vec![k("support")]),
        flow("F2", t_ps, "P3", "annonces-rencontres.example", None, None, 15_000, "EUR", "prepaid-voucher", "ad space paid with three 50 EUR paysafecard vouchers", &["FN-02", "SX-12"], vec![k("paysafe"), s("Users/florin/Documents/paysafe.txt")]),
        flow("F3", t_share, "P1", "P3", None, None, cash_ioana * 100, "EUR", "cash", "all client payments handed over by Ioana (planning total)", &["RC-09", "CT-01"], vec![s(planning_path), k("report")]),
        flow("F4", t_share, "P4", "P3", None, None, cash_larisa * 100, "EUR", "cash", "all client payments handed over by Larisa (planning total)", &["RC-09"], vec![s(planning_path)]),
        flow("F5", t_share, "P3", "P2", None, None, 240_000, "EUR", "cash", "the loverboy's weekly share", &["RC-09"], vec![k("share")]),
        flow("F6", t_wu, "P2", "Western Union (RO)", None, None, 150_000, "EUR", "money-transfer", "transfer to Romania", &["FN-01"], vec![s("android-cristi:visit:https://transfer.example.com/send?to=RO")]),
    ];
    b.visit(CRISTI_PHONE, (22, 15, 50), "https://transfer.example.com/send?to=RO", "Envoyer de l'argent en Roumanie – Transfer Example", true, None, &["FN-01"], false);
    b.plan.visits.sort_by_key(|v| (v.device, v.t));

    // Key events.
    let p = &b;
    let events = vec![
        event("E01", p.visit_time(CRISTI_PHONE, "https://rencontres.example/profil/cristi-lux"), "Fake wealthy dating profile", &["P2"], vec![s("android-cristi:visit:https://rencontres.example/profil/cristi-lux"), s("PH4")]),
        event("E02", p.msg_time(&k("first-msg")), "First contact from the dating site, moved to WhatsApp", &["P2", "P1"], vec![k("first-msg"), k("wealth")]),
        event("E03", p.msg_time(&k("weakness")), "Grooming: family weaknesses, money for the mother, marriage promise", &["P2", "P1", "P6"], vec![k("weakness"), k("support"), k("marriage"), s("F1")]),
        event("E04", p.msg_time(&k("intimate-request")), "Request for a private photo", &["P2", "P1"], vec![k("intimate-request")]),
        event("E05", p.msg_time(&k("portrait-mms")), "Ioana sends her photo by MMS; it later appears in the ads", &["P1", "P2"], vec![k("portrait-mms"), s("G01")]),
        event("E06", p.msg_time(&k("job-offer")), "Restaurant-job story and bus ticket to Lyon", &["P2", "P1"], vec![k("job-offer"), k("ticket")]),
        event("E07", p.msg_time(&k("debt")), "On arrival: no job, a 2,000 EUR 'debt', handed to the booker", &["P2", "P1", "P3"], vec![k("debt"), k("ads-up")]),
        event("E08", p.msg_time(&k("ads-plan")), "Ads posted: two names and cities for Ioana, the booker's number on all ads", &["P2", "P3"], vec![k("ads-plan"), k("photo-edit"), k("paysafe"), s("laptop-florin:/Users/florin/Documents/annonces")]),
        event("E09", p.msg_time(&k("booking")), "Bookings and reporting of every client", &["P3", "P1", "P4"], vec![k("booking"), k("report"), k("group-rules"), s(planning_path)]),
        event("E10", p.msg_time(&k("same-photo")), "The women find their photos under other names and cities", &["P4", "P1"], vec![k("same-photo")]),
        event("E11", p.msg_time(&k("threat-photos")), "Threat to publish photos (message later deleted for everyone)", &["P2", "P1"], vec![k("threat-photos")]),
        event("E12", p.msg_time(&k("help-deleted")), "Ioana writes to her mother for help, then deletes it", &["P1", "P6"], vec![k("help-deleted")]),
        event("E13", p.msg_time(&k("rotation")), "Rotation to Marseille decided", &["P2", "P3"], vec![k("rotation")]),
        event("E14", p.msg_time(&k("family-threat")), "Threat against Larisa's family", &["P2", "P4"], vec![k("family-threat")]),
    ];
    b.plan.events = events;
    b.plan
}
