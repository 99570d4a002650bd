//! A built-in English phonetic-symbol dictionary and the offset/limit paging it uses.
//!
//! ShowTtsPhoneticSymbol returns the phonetic symbols of an English word. The emulator
//! answers from a built-in table of a few hundred common words with their IPA
//! transcriptions: the first is British (Received Pronunciation), the second, when it
//! differs, American; a few function words list their strong and weak forms instead.
//! Lookups ignore ASCII case and surrounding whitespace; unknown words have no symbols
//! (an empty list, not an error). The table is a sorted static array searched by
//! binary search: no allocation, no lazy initialisation.
//!
//! ```
//! use ttsc_emulator::phonetic::{lookup, page};
//!
//! assert_eq!(lookup("Hello"), ["həˈləʊ", "hɛˈloʊ"]);
//! assert!(lookup("xylophonist").is_empty());
//! // An offset past the end returns the last page.
//! assert_eq!(page(&[1, 2, 3, 4, 5], 99, 2), [5]);
//! ```

/// The dictionary: lowercase ASCII words in byte order, each with its symbols.
static DICTIONARY: &[(&str, &[&str])] = &[
    ("a", &["ə", "eɪ"]),
    ("about", &["əˈbaʊt"]),
    ("above", &["əˈbʌv"]),
    ("across", &["əˈkrɒs", "əˈkrɔs"]),
    ("act", &["ækt"]),
    ("add", &["æd"]),
    ("after", &["ˈɑːftə", "ˈæftər"]),
    ("again", &["əˈɡen", "əˈɡeɪn"]),
    ("against", &["əˈɡenst", "əˈɡeɪnst"]),
    ("age", &["eɪdʒ"]),
    ("ago", &["əˈɡəʊ", "əˈɡoʊ"]),
    ("air", &["eə", "er"]),
    ("airport", &["ˈeəpɔːt", "ˈerpɔrt"]),
    ("all", &["ɔːl", "ɔl"]),
    ("almost", &["ˈɔːlməʊst", "ˈɔlmoʊst"]),
    ("along", &["əˈlɒŋ", "əˈlɔŋ"]),
    ("also", &["ˈɔːlsəʊ", "ˈɔlsoʊ"]),
    ("always", &["ˈɔːlweɪz", "ˈɔlweɪz"]),
    ("am", &["æm", "əm"]),
    ("among", &["əˈmʌŋ"]),
    ("an", &["æn", "ən"]),
    ("and", &["ænd", "ənd"]),
    ("angry", &["ˈæŋɡri"]),
    ("animal", &["ˈænɪml", "ˈænəməl"]),
    ("another", &["əˈnʌðə", "əˈnʌðər"]),
    ("answer", &["ˈɑːnsə", "ˈænsər"]),
    ("any", &["ˈeni"]),
    ("apple", &["ˈæpl"]),
    ("are", &["ɑː", "ɑr"]),
    ("area", &["ˈeəriə", "ˈeriə"]),
    ("arm", &["ɑːm", "ɑrm"]),
    ("around", &["əˈraʊnd"]),
    ("art", &["ɑːt", "ɑrt"]),
    ("as", &["æz", "əz"]),
    ("ask", &["ɑːsk", "æsk"]),
    ("at", &["æt", "ət"]),
    ("audio", &["ˈɔːdiəʊ", "ˈɔdioʊ"]),
    ("autumn", &["ˈɔːtəm", "ˈɔtəm"]),
    ("away", &["əˈweɪ"]),
    ("baby", &["ˈbeɪbi"]),
    ("back", &["bæk"]),
    ("bad", &["bæd"]),
    ("ball", &["bɔːl", "bɔl"]),
    ("bank", &["bæŋk"]),
    ("be", &["biː"]),
    ("bear", &["beə", "ber"]),
    ("beautiful", &["ˈbjuːtɪfl", "ˈbjutəfəl"]),
    ("beauty", &["ˈbjuːti", "ˈbjuti"]),
    ("because", &["bɪˈkɒz", "bɪˈkɔz"]),
    ("become", &["bɪˈkʌm"]),
    ("bed", &["bed"]),
    ("been", &["biːn", "bɪn"]),
    ("before", &["bɪˈfɔː", "bɪˈfɔr"]),
    ("began", &["bɪˈɡæn"]),
    ("begin", &["bɪˈɡɪn"]),
    ("behind", &["bɪˈhaɪnd"]),
    ("believe", &["bɪˈliːv", "bɪˈliv"]),
    ("best", &["best"]),
    ("better", &["ˈbetə", "ˈbetər"]),
    ("between", &["bɪˈtwiːn", "bɪˈtwin"]),
    ("big", &["bɪɡ"]),
    ("bird", &["bɜːd", "bɜrd"]),
    ("black", &["blæk"]),
    ("blue", &["bluː", "blu"]),
    ("boat", &["bəʊt", "boʊt"]),
    ("body", &["ˈbɒdi", "ˈbɑdi"]),
    ("book", &["bʊk"]),
    ("both", &["bəʊθ", "boʊθ"]),
    ("box", &["bɒks", "bɑks"]),
    ("boy", &["bɔɪ"]),
    ("bread", &["bred"]),
    ("bright", &["braɪt"]),
    ("bring", &["brɪŋ"]),
    ("brother", &["ˈbrʌðə", "ˈbrʌðər"]),
    ("brought", &["brɔːt", "brɔt"]),
    ("build", &["bɪld"]),
    ("bus", &["bʌs"]),
    ("business", &["ˈbɪznəs"]),
    ("but", &["bʌt", "bət"]),
    ("buy", &["baɪ"]),
    ("by", &["baɪ"]),
    ("call", &["kɔːl", "kɔl"]),
    ("came", &["keɪm"]),
    ("can", &["kæn", "kən"]),
    ("car", &["kɑː", "kɑr"]),
    ("care", &["keə", "ker"]),
    ("carry", &["ˈkæri"]),
    ("cat", &["kæt"]),
    ("cause", &["kɔːz", "kɔz"]),
    ("center", &["ˈsentə", "ˈsentər"]),
    ("chair", &["tʃeə", "tʃer"]),
    ("change", &["tʃeɪndʒ"]),
    ("child", &["tʃaɪld"]),
    ("children", &["ˈtʃɪldrən"]),
    ("china", &["ˈtʃaɪnə"]),
    ("chinese", &["ˌtʃaɪˈniːz", "ˌtʃaɪˈniz"]),
    ("city", &["ˈsɪti"]),
    ("class", &["klɑːs", "klæs"]),
    ("clean", &["kliːn", "klin"]),
    ("clear", &["klɪə", "klɪr"]),
    ("close", &["kləʊz", "kloʊz"]),
    ("cloud", &["klaʊd"]),
    ("coffee", &["ˈkɒfi", "ˈkɔfi"]),
    ("cold", &["kəʊld", "koʊld"]),
    ("color", &["ˈkʌlə", "ˈkʌlər"]),
    ("come", &["kʌm"]),
    ("common", &["ˈkɒmən", "ˈkɑmən"]),
    ("computer", &["kəmˈpjuːtə", "kəmˈpjutər"]),
    ("could", &["kʊd", "kəd"]),
    ("country", &["ˈkʌntri"]),
    ("course", &["kɔːs", "kɔrs"]),
    ("cut", &["kʌt"]),
    ("dark", &["dɑːk", "dɑrk"]),
    ("data", &["ˈdeɪtə", "ˈdætə"]),
    ("day", &["deɪ"]),
    ("dear", &["dɪə", "dɪr"]),
    ("did", &["dɪd"]),
    ("different", &["ˈdɪfrənt"]),
    ("digital", &["ˈdɪdʒɪtl"]),
    ("do", &["duː", "du"]),
    ("doctor", &["ˈdɒktə", "ˈdɑktər"]),
    ("does", &["dʌz", "dəz"]),
    ("dog", &["dɒɡ", "dɔɡ"]),
    ("done", &["dʌn"]),
    ("door", &["dɔː", "dɔr"]),
    ("down", &["daʊn"]),
    ("draw", &["drɔː", "drɔ"]),
    ("dream", &["driːm", "drim"]),
    ("drink", &["drɪŋk"]),
    ("drive", &["draɪv"]),
    ("during", &["ˈdjʊərɪŋ", "ˈdʊrɪŋ"]),
    ("each", &["iːtʃ", "itʃ"]),
    ("ear", &["ɪə", "ɪr"]),
    ("early", &["ˈɜːli", "ˈɜrli"]),
    ("earth", &["ɜːθ", "ɜrθ"]),
    ("easy", &["ˈiːzi", "ˈizi"]),
    ("eat", &["iːt", "it"]),
    ("eight", &["eɪt"]),
    ("either", &["ˈaɪðə", "ˈiðər"]),
    ("email", &["ˈiːmeɪl", "ˈimeɪl"]),
    ("emulator", &["ˈemjuleɪtə", "ˈemjəˌleɪtər"]),
    ("end", &["end"]),
    ("english", &["ˈɪŋɡlɪʃ"]),
    ("enough", &["ɪˈnʌf"]),
    ("even", &["ˈiːvn", "ˈivən"]),
    ("evening", &["ˈiːvnɪŋ", "ˈivnɪŋ"]),
    ("ever", &["ˈevə", "ˈevər"]),
    ("every", &["ˈevri"]),
    ("example", &["ɪɡˈzɑːmpl", "ɪɡˈzæmpəl"]),
    ("eye", &["aɪ"]),
    ("face", &["feɪs"]),
    ("fact", &["fækt"]),
    ("fall", &["fɔːl", "fɔl"]),
    ("family", &["ˈfæməli"]),
    ("far", &["fɑː", "fɑr"]),
    ("farm", &["fɑːm", "fɑrm"]),
    ("fast", &["fɑːst", "fæst"]),
    ("father", &["ˈfɑːðə", "ˈfɑðər"]),
    ("feel", &["fiːl", "fil"]),
    ("feet", &["fiːt", "fit"]),
    ("few", &["fjuː", "fju"]),
    ("field", &["fiːld", "fild"]),
    ("file", &["faɪl"]),
    ("find", &["faɪnd"]),
    ("fine", &["faɪn"]),
    ("fire", &["ˈfaɪə", "ˈfaɪər"]),
    ("first", &["fɜːst", "fɜrst"]),
    ("fish", &["fɪʃ"]),
    ("five", &["faɪv"]),
    ("fly", &["flaɪ"]),
    ("follow", &["ˈfɒləʊ", "ˈfɑloʊ"]),
    ("food", &["fuːd", "fud"]),
    ("foot", &["fʊt"]),
    ("for", &["fɔː", "fɔr"]),
    ("form", &["fɔːm", "fɔrm"]),
    ("found", &["faʊnd"]),
    ("four", &["fɔː", "fɔr"]),
    ("free", &["friː", "fri"]),
    ("friend", &["frend"]),
    ("from", &["frɒm", "frʌm"]),
    ("front", &["frʌnt"]),
    ("full", &["fʊl"]),
    ("future", &["ˈfjuːtʃə", "ˈfjutʃər"]),
    ("game", &["ɡeɪm"]),
    ("garage", &["ˈɡærɑːʒ", "ɡəˈrɑʒ"]),
    ("garden", &["ˈɡɑːdn", "ˈɡɑrdn"]),
    ("gave", &["ɡeɪv"]),
    ("get", &["ɡet"]),
    ("girl", &["ɡɜːl", "ɡɜrl"]),
    ("give", &["ɡɪv"]),
    ("go", &["ɡəʊ", "ɡoʊ"]),
    ("gold", &["ɡəʊld", "ɡoʊld"]),
    ("good", &["ɡʊd"]),
    ("goodbye", &["ˌɡʊdˈbaɪ"]),
    ("got", &["ɡɒt", "ɡɑt"]),
    ("great", &["ɡreɪt"]),
    ("green", &["ɡriːn", "ɡrin"]),
    ("ground", &["ɡraʊnd"]),
    ("group", &["ɡruːp", "ɡrup"]),
    ("grow", &["ɡrəʊ", "ɡroʊ"]),
    ("had", &["hæd", "həd"]),
    ("hair", &["heə", "her"]),
    ("half", &["hɑːf", "hæf"]),
    ("hand", &["hænd"]),
    ("happy", &["ˈhæpi"]),
    ("hard", &["hɑːd", "hɑrd"]),
    ("has", &["hæz", "həz"]),
    ("have", &["hæv", "həv"]),
    ("he", &["hiː", "hi"]),
    ("head", &["hed"]),
    ("health", &["helθ"]),
    ("hear", &["hɪə", "hɪr"]),
    ("heart", &["hɑːt", "hɑrt"]),
    ("heat", &["hiːt", "hit"]),
    ("hello", &["həˈləʊ", "hɛˈloʊ"]),
    ("help", &["help"]),
    ("her", &["hɜː", "hɜr"]),
    ("here", &["hɪə", "hɪr"]),
    ("high", &["haɪ"]),
    ("him", &["hɪm"]),
    ("his", &["hɪz"]),
    ("history", &["ˈhɪstri", "ˈhɪstəri"]),
    ("hold", &["həʊld", "hoʊld"]),
    ("home", &["həʊm", "hoʊm"]),
    ("horse", &["hɔːs", "hɔrs"]),
    ("hospital", &["ˈhɒspɪtl", "ˈhɑspɪtl"]),
    ("hot", &["hɒt", "hɑt"]),
    ("hotel", &["həʊˈtel", "hoʊˈtel"]),
    ("hour", &["ˈaʊə", "ˈaʊər"]),
    ("house", &["haʊs"]),
    ("how", &["haʊ"]),
    ("huge", &["hjuːdʒ", "hjudʒ"]),
    ("human", &["ˈhjuːmən", "ˈhjumən"]),
    ("hundred", &["ˈhʌndrəd"]),
    ("hungry", &["ˈhʌŋɡri"]),
    ("i", &["aɪ"]),
    ("ice", &["aɪs"]),
    ("idea", &["aɪˈdɪə", "aɪˈdiə"]),
    ("if", &["ɪf"]),
    ("important", &["ɪmˈpɔːtnt", "ɪmˈpɔrtnt"]),
    ("in", &["ɪn"]),
    ("inside", &["ˌɪnˈsaɪd"]),
    ("internet", &["ˈɪntənet", "ˈɪntərnet"]),
    ("into", &["ˈɪntuː", "ˈɪntu"]),
    ("is", &["ɪz"]),
    ("island", &["ˈaɪlənd"]),
    ("it", &["ɪt"]),
    ("its", &["ɪts"]),
    ("job", &["dʒɒb", "dʒɑb"]),
    ("join", &["dʒɔɪn"]),
    ("just", &["dʒʌst"]),
    ("keep", &["kiːp", "kip"]),
    ("kind", &["kaɪnd"]),
    ("king", &["kɪŋ"]),
    ("kitchen", &["ˈkɪtʃɪn"]),
    ("knew", &["njuː", "nu"]),
    ("know", &["nəʊ", "noʊ"]),
    ("land", &["lænd"]),
    ("language", &["ˈlæŋɡwɪdʒ"]),
    ("large", &["lɑːdʒ", "lɑrdʒ"]),
    ("last", &["lɑːst", "læst"]),
    ("late", &["leɪt"]),
    ("laugh", &["lɑːf", "læf"]),
    ("learn", &["lɜːn", "lɜrn"]),
    ("leave", &["liːv", "liv"]),
    ("left", &["left"]),
    ("leisure", &["ˈleʒə", "ˈliʒər"]),
    ("less", &["les"]),
    ("let", &["let"]),
    ("letter", &["ˈletə", "ˈletər"]),
    ("life", &["laɪf"]),
    ("light", &["laɪt"]),
    ("like", &["laɪk"]),
    ("line", &["laɪn"]),
    ("list", &["lɪst"]),
    ("listen", &["ˈlɪsn"]),
    ("little", &["ˈlɪtl"]),
    ("live", &["lɪv"]),
    ("long", &["lɒŋ", "lɔŋ"]),
    ("look", &["lʊk"]),
    ("love", &["lʌv"]),
    ("low", &["ləʊ", "loʊ"]),
    ("made", &["meɪd"]),
    ("make", &["meɪk"]),
    ("man", &["mæn"]),
    ("many", &["ˈmeni"]),
    ("map", &["mæp"]),
    ("mark", &["mɑːk", "mɑrk"]),
    ("market", &["ˈmɑːkɪt", "ˈmɑrkɪt"]),
    ("may", &["meɪ"]),
    ("me", &["miː", "mi"]),
    ("mean", &["miːn", "min"]),
    ("men", &["men"]),
    ("message", &["ˈmesɪdʒ"]),
    ("might", &["maɪt"]),
    ("mile", &["maɪl"]),
    ("milk", &["mɪlk"]),
    ("mind", &["maɪnd"]),
    ("minute", &["ˈmɪnɪt"]),
    ("miss", &["mɪs"]),
    ("model", &["ˈmɒdl", "ˈmɑdl"]),
    ("money", &["ˈmʌni"]),
    ("moon", &["muːn", "mun"]),
    ("more", &["mɔː", "mɔr"]),
    ("morning", &["ˈmɔːnɪŋ", "ˈmɔrnɪŋ"]),
    ("most", &["məʊst", "moʊst"]),
    ("mother", &["ˈmʌðə", "ˈmʌðər"]),
    ("mountain", &["ˈmaʊntən", "ˈmaʊntn"]),
    ("move", &["muːv", "muv"]),
    ("much", &["mʌtʃ"]),
    ("music", &["ˈmjuːzɪk", "ˈmjuzɪk"]),
    ("must", &["mʌst", "məst"]),
    ("my", &["maɪ"]),
    ("name", &["neɪm"]),
    ("near", &["nɪə", "nɪr"]),
    ("need", &["niːd", "nid"]),
    ("neither", &["ˈnaɪðə", "ˈniðər"]),
    ("never", &["ˈnevə", "ˈnevər"]),
    ("new", &["njuː", "nu"]),
    ("next", &["nekst"]),
    ("night", &["naɪt"]),
    ("nine", &["naɪn"]),
    ("no", &["nəʊ", "noʊ"]),
    ("north", &["nɔːθ", "nɔrθ"]),
    ("not", &["nɒt", "nɑt"]),
    ("note", &["nəʊt", "noʊt"]),
    ("nothing", &["ˈnʌθɪŋ"]),
    ("now", &["naʊ"]),
    ("number", &["ˈnʌmbə", "ˈnʌmbər"]),
    ("ocean", &["ˈəʊʃn", "ˈoʊʃn"]),
    ("of", &["ɒv", "ʌv"]),
    ("off", &["ɒf", "ɔf"]),
    ("often", &["ˈɒfn", "ˈɔfn"]),
    ("oh", &["əʊ", "oʊ"]),
    ("oil", &["ɔɪl"]),
    ("okay", &["ˌəʊˈkeɪ", "ˌoʊˈkeɪ"]),
    ("old", &["əʊld", "oʊld"]),
    ("on", &["ɒn", "ɑn"]),
    ("once", &["wʌns"]),
    ("one", &["wʌn"]),
    ("only", &["ˈəʊnli", "ˈoʊnli"]),
    ("open", &["ˈəʊpən", "ˈoʊpən"]),
    ("or", &["ɔː", "ɔr"]),
    ("order", &["ˈɔːdə", "ˈɔrdər"]),
    ("other", &["ˈʌðə", "ˈʌðər"]),
    ("our", &["ˈaʊə", "ˈaʊər"]),
    ("out", &["aʊt"]),
    ("over", &["ˈəʊvə", "ˈoʊvər"]),
    ("own", &["əʊn", "oʊn"]),
    ("page", &["peɪdʒ"]),
    ("paper", &["ˈpeɪpə", "ˈpeɪpər"]),
    ("part", &["pɑːt", "pɑrt"]),
    ("people", &["ˈpiːpl", "ˈpipəl"]),
    ("perhaps", &["pəˈhæps", "pərˈhæps"]),
    ("person", &["ˈpɜːsn", "ˈpɜrsn"]),
    ("phone", &["fəʊn", "foʊn"]),
    ("picture", &["ˈpɪktʃə", "ˈpɪktʃər"]),
    ("piece", &["piːs", "pis"]),
    ("place", &["pleɪs"]),
    ("plan", &["plæn"]),
    ("plant", &["plɑːnt", "plænt"]),
    ("play", &["pleɪ"]),
    ("please", &["pliːz", "pliz"]),
    ("point", &["pɔɪnt"]),
    ("power", &["ˈpaʊə", "ˈpaʊər"]),
    ("price", &["praɪs"]),
    ("privacy", &["ˈprɪvəsi", "ˈpraɪvəsi"]),
    ("problem", &["ˈprɒbləm", "ˈprɑbləm"]),
    ("product", &["ˈprɒdʌkt", "ˈprɑdʌkt"]),
    ("pull", &["pʊl"]),
    ("put", &["pʊt"]),
    ("question", &["ˈkwestʃən"]),
    ("quick", &["kwɪk"]),
    ("quiet", &["ˈkwaɪət"]),
    ("rain", &["reɪn"]),
    ("ran", &["ræn"]),
    ("reach", &["riːtʃ", "ritʃ"]),
    ("read", &["riːd", "rid"]),
    ("ready", &["ˈredi"]),
    ("real", &["ˈrɪəl", "ˈriəl"]),
    ("red", &["red"]),
    ("remember", &["rɪˈmembə", "rɪˈmembər"]),
    ("rest", &["rest"]),
    ("right", &["raɪt"]),
    ("river", &["ˈrɪvə", "ˈrɪvər"]),
    ("road", &["rəʊd", "roʊd"]),
    ("robot", &["ˈrəʊbɒt", "ˈroʊbɑt"]),
    ("rock", &["rɒk", "rɑk"]),
    ("room", &["ruːm", "rum"]),
    ("round", &["raʊnd"]),
    ("route", &["ruːt", "raʊt"]),
    ("run", &["rʌn"]),
    ("sad", &["sæd"]),
    ("said", &["sed"]),
    ("same", &["seɪm"]),
    ("saw", &["sɔː", "sɔ"]),
    ("say", &["seɪ"]),
    ("schedule", &["ˈʃedjuːl", "ˈskedʒul"]),
    ("school", &["skuːl", "skul"]),
    ("science", &["ˈsaɪəns"]),
    ("sea", &["siː", "si"]),
    ("second", &["ˈsekənd"]),
    ("see", &["siː", "si"]),
    ("seem", &["siːm", "sim"]),
    ("sentence", &["ˈsentəns"]),
    ("service", &["ˈsɜːvɪs", "ˈsɜrvɪs"]),
    ("seven", &["ˈsevn"]),
    ("shall", &["ʃæl", "ʃəl"]),
    ("she", &["ʃiː", "ʃi"]),
    ("ship", &["ʃɪp"]),
    ("short", &["ʃɔːt", "ʃɔrt"]),
    ("should", &["ʃʊd", "ʃəd"]),
    ("show", &["ʃəʊ", "ʃoʊ"]),
    ("side", &["saɪd"]),
    ("simple", &["ˈsɪmpl"]),
    ("since", &["sɪns"]),
    ("sing", &["sɪŋ"]),
    ("sister", &["ˈsɪstə", "ˈsɪstər"]),
    ("sit", &["sɪt"]),
    ("six", &["sɪks"]),
    ("size", &["saɪz"]),
    ("sleep", &["sliːp", "slip"]),
    ("slow", &["sləʊ", "sloʊ"]),
    ("small", &["smɔːl", "smɔl"]),
    ("smile", &["smaɪl"]),
    ("snow", &["snəʊ", "snoʊ"]),
    ("so", &["səʊ", "soʊ"]),
    ("some", &["sʌm", "səm"]),
    ("something", &["ˈsʌmθɪŋ"]),
    ("song", &["sɒŋ", "sɔŋ"]),
    ("soon", &["suːn", "sun"]),
    ("sorry", &["ˈsɒri", "ˈsɑri"]),
    ("sound", &["saʊnd"]),
    ("south", &["saʊθ"]),
    ("speak", &["spiːk", "spik"]),
    ("special", &["ˈspeʃl"]),
    ("speech", &["spiːtʃ", "spitʃ"]),
    ("spring", &["sprɪŋ"]),
    ("stand", &["stænd"]),
    ("star", &["stɑː", "stɑr"]),
    ("start", &["stɑːt", "stɑrt"]),
    ("station", &["ˈsteɪʃn"]),
    ("stay", &["steɪ"]),
    ("still", &["stɪl"]),
    ("stop", &["stɒp", "stɑp"]),
    ("story", &["ˈstɔːri", "ˈstɔri"]),
    ("street", &["striːt", "strit"]),
    ("strong", &["strɒŋ", "strɔŋ"]),
    ("study", &["ˈstʌdi"]),
    ("such", &["sʌtʃ"]),
    ("summer", &["ˈsʌmə", "ˈsʌmər"]),
    ("sun", &["sʌn"]),
    ("sure", &["ʃʊə", "ʃʊr"]),
    ("system", &["ˈsɪstəm"]),
    ("table", &["ˈteɪbl"]),
    ("take", &["teɪk"]),
    ("talk", &["tɔːk", "tɔk"]),
    ("task", &["tɑːsk", "tæsk"]),
    ("tea", &["tiː", "ti"]),
    ("teach", &["tiːtʃ", "titʃ"]),
    ("teacher", &["ˈtiːtʃə", "ˈtitʃər"]),
    ("tell", &["tel"]),
    ("ten", &["ten"]),
    ("test", &["test"]),
    ("text", &["tekst"]),
    ("than", &["ðæn", "ðən"]),
    ("thank", &["θæŋk"]),
    ("thanks", &["θæŋks"]),
    ("that", &["ðæt", "ðət"]),
    ("the", &["ðə", "ðiː"]),
    ("their", &["ðeə", "ðer"]),
    ("them", &["ðem", "ðəm"]),
    ("then", &["ðen"]),
    ("there", &["ðeə", "ðer"]),
    ("these", &["ðiːz", "ðiz"]),
    ("they", &["ðeɪ"]),
    ("thing", &["θɪŋ"]),
    ("think", &["θɪŋk"]),
    ("this", &["ðɪs"]),
    ("those", &["ðəʊz", "ðoʊz"]),
    ("though", &["ðəʊ", "ðoʊ"]),
    ("thought", &["θɔːt", "θɔt"]),
    ("thousand", &["ˈθaʊznd"]),
    ("three", &["θriː", "θri"]),
    ("through", &["θruː", "θru"]),
    ("ticket", &["ˈtɪkɪt"]),
    ("time", &["taɪm"]),
    ("tired", &["ˈtaɪəd", "ˈtaɪərd"]),
    ("to", &["tuː", "tə"]),
    ("today", &["təˈdeɪ"]),
    ("together", &["təˈɡeðə", "təˈɡeðər"]),
    ("told", &["təʊld", "toʊld"]),
    ("tomato", &["təˈmɑːtəʊ", "təˈmeɪtoʊ"]),
    ("tomorrow", &["təˈmɒrəʊ", "təˈmɑroʊ"]),
    ("too", &["tuː", "tu"]),
    ("took", &["tʊk"]),
    ("top", &["tɒp", "tɑp"]),
    ("town", &["taʊn"]),
    ("train", &["treɪn"]),
    ("travel", &["ˈtrævl"]),
    ("tree", &["triː", "tri"]),
    ("true", &["truː", "tru"]),
    ("try", &["traɪ"]),
    ("turn", &["tɜːn", "tɜrn"]),
    ("two", &["tuː", "tu"]),
    ("under", &["ˈʌndə", "ˈʌndər"]),
    ("understand", &["ˌʌndəˈstænd", "ˌʌndərˈstænd"]),
    ("until", &["ənˈtɪl"]),
    ("up", &["ʌp"]),
    ("us", &["ʌs", "əs"]),
    ("use", &["juːz", "juz"]),
    ("user", &["ˈjuːzə", "ˈjuzər"]),
    ("usual", &["ˈjuːʒuəl", "ˈjuʒuəl"]),
    ("very", &["ˈveri"]),
    ("video", &["ˈvɪdiəʊ", "ˈvɪdioʊ"]),
    ("vitamin", &["ˈvɪtəmɪn", "ˈvaɪtəmɪn"]),
    ("voice", &["vɔɪs"]),
    ("walk", &["wɔːk", "wɔk"]),
    ("want", &["wɒnt", "wɑnt"]),
    ("warm", &["wɔːm", "wɔrm"]),
    ("was", &["wɒz", "wʌz"]),
    ("watch", &["wɒtʃ", "wɑtʃ"]),
    ("water", &["ˈwɔːtə", "ˈwɔtər"]),
    ("way", &["weɪ"]),
    ("we", &["wiː", "wi"]),
    ("weather", &["ˈweðə", "ˈweðər"]),
    ("week", &["wiːk", "wik"]),
    ("weekend", &["ˌwiːkˈend", "ˈwikend"]),
    ("welcome", &["ˈwelkəm"]),
    ("well", &["wel"]),
    ("went", &["went"]),
    ("were", &["wɜː", "wɜr"]),
    ("west", &["west"]),
    ("what", &["wɒt", "wʌt"]),
    ("when", &["wen"]),
    ("where", &["weə", "wer"]),
    ("which", &["wɪtʃ"]),
    ("while", &["waɪl"]),
    ("white", &["waɪt"]),
    ("who", &["huː", "hu"]),
    ("whole", &["həʊl", "hoʊl"]),
    ("why", &["waɪ"]),
    ("will", &["wɪl"]),
    ("wind", &["wɪnd"]),
    ("window", &["ˈwɪndəʊ", "ˈwɪndoʊ"]),
    ("winter", &["ˈwɪntə", "ˈwɪntər"]),
    ("with", &["wɪð"]),
    ("without", &["wɪˈðaʊt"]),
    ("woman", &["ˈwʊmən"]),
    ("women", &["ˈwɪmɪn"]),
    ("wonder", &["ˈwʌndə", "ˈwʌndər"]),
    ("word", &["wɜːd", "wɜrd"]),
    ("work", &["wɜːk", "wɜrk"]),
    ("world", &["wɜːld", "wɜrld"]),
    ("would", &["wʊd", "wəd"]),
    ("write", &["raɪt"]),
    ("wrong", &["rɒŋ", "rɔŋ"]),
    ("year", &["jɪə", "jɪr"]),
    ("yellow", &["ˈjeləʊ", "ˈjeloʊ"]),
    ("yes", &["jes"]),
    ("yesterday", &["ˈjestədeɪ", "ˈjestərdeɪ"]),
    ("yet", &["jet"]),
    ("you", &["juː", "ju"]),
    ("young", &["jʌŋ"]),
    ("your", &["jɔː", "jʊr"]),
    ("zero", &["ˈzɪərəʊ", "ˈzɪroʊ"]),
];

/// The phonetic symbols of `word` (case-insensitive, surrounding whitespace ignored),
/// or an empty slice for a word the dictionary does not know.
#[must_use]
pub fn lookup(word: &str) -> &'static [&'static str] {
    let word = word.trim();
    DICTIONARY
        .binary_search_by(|(entry, _)| {
            entry
                .bytes()
                .cmp(word.bytes().map(|b| b.to_ascii_lowercase()))
        })
        .map_or(&[], |i| DICTIONARY[i].1)
}

/// The number of words in the dictionary.
#[must_use]
pub fn len() -> usize {
    DICTIONARY.len()
}

/// Every word of the dictionary with its symbols, in byte order of the words.
pub fn entries() -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    DICTIONARY.iter().copied()
}

/// One page of `items`: `limit` items from `offset`.
///
/// An offset at or past the end returns the last page, as the service documents for
/// the phonetic symbols. Pages are aligned on multiples of `limit`, so the last page is
/// the one holding the last item (for 5 items and a limit of 2, item 5 alone). A
/// `limit` of 0 or an empty `items` gives an empty page.
#[must_use]
pub fn page<T>(items: &[T], offset: usize, limit: usize) -> &[T] {
    if limit == 0 || items.is_empty() {
        return &[];
    }
    let start = if offset >= items.len() {
        (items.len() - 1) / limit * limit
    } else {
        offset
    };
    let end = start.saturating_add(limit).min(items.len());
    &items[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_unique_lowercase_and_large_enough() {
        assert!(len() >= 300, "{}", len());
        for pair in DICTIONARY.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} !< {}", pair[0].0, pair[1].0);
        }
        for (word, symbols) in entries() {
            assert!(!word.is_empty());
            assert!(word.bytes().all(|b| b.is_ascii_lowercase()), "{word}");
            assert!(!symbols.is_empty() && symbols.len() <= 2, "{word}");
            for symbol in symbols {
                assert!(!symbol.is_empty() && symbol.trim() == *symbol, "{word}");
                assert!(!symbol.contains('/') && !symbol.contains('['), "{word}");
            }
        }
    }

    #[test]
    fn every_word_is_found() {
        for (word, symbols) in entries() {
            assert_eq!(lookup(word), symbols, "{word}");
        }
    }

    #[test]
    fn lookup_ignores_case_and_whitespace() {
        assert_eq!(lookup("hello"), ["həˈləʊ", "hɛˈloʊ"]);
        assert_eq!(lookup("HELLO"), lookup("hello"));
        assert_eq!(lookup("  World\t"), ["wɜːld", "wɜrld"]);
        assert_eq!(lookup("I"), ["aɪ"]);
        assert_eq!(lookup("a"), ["ə", "eɪ"]);
        assert_eq!(lookup("zero"), ["ˈzɪərəʊ", "ˈzɪroʊ"]);
    }

    #[test]
    fn unknown_words_have_no_symbols() {
        for word in [
            "",
            " ",
            "qwerty",
            "hello world",
            "hellos",
            "héllo",
            "你好",
            "HELLO!",
        ] {
            assert!(lookup(word).is_empty(), "{word:?}");
        }
    }

    #[test]
    fn paging_within_range() {
        let items = [1, 2, 3, 4, 5];
        assert_eq!(page(&items, 0, 2), [1, 2]);
        assert_eq!(page(&items, 2, 2), [3, 4]);
        assert_eq!(page(&items, 4, 2), [5]);
        assert_eq!(page(&items, 1, 10), [2, 3, 4, 5]);
        assert_eq!(page(&items, 0, 1000), items);
    }

    #[test]
    fn paging_past_the_end_returns_the_last_page() {
        let items = [1, 2, 3, 4, 5];
        assert_eq!(page(&items, 5, 2), [5]);
        assert_eq!(page(&items, usize::MAX, 2), [5]);
        assert_eq!(page(&items, 7, 5), items);
        assert_eq!(page(&items, 9, 4), [5]);
        assert_eq!(page(&items, 9, 10), items);
        let two = ["həˈləʊ", "hɛˈloʊ"];
        assert_eq!(page(&two, 2_147_483_647, 1), ["hɛˈloʊ"]);
    }

    #[test]
    fn paging_degenerate_cases() {
        let empty: [u8; 0] = [];
        assert!(page(&empty, 0, 10).is_empty());
        assert!(page(&empty, 10, 10).is_empty());
        assert!(page(&[1, 2], 0, 0).is_empty());
        assert_eq!(page(&[1, 2], 1, usize::MAX), [2]);
    }
}
