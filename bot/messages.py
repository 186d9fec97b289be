"""What the bot says, in Kazakh, Russian and English."""

from __future__ import annotations

LANGS = ("kk", "ru", "en")

TEXTS: dict[str, dict[str, str]] = {
    "not_known": {
        "kk": "Бұл туралы әзірге білмеймін: орталықтың мақалаларында бұл жөнінде ақпарат жоқ. "
        "Сұрақты басқаша қойып көріңіз немесе ASEM LLL Hub Орталық Азия өңірлік орталығы туралы сұраңыз.",
        "ru": "Я пока этого не знаю: в статьях центра об этом ничего нет. "
        "Попробуйте переформулировать вопрос или спросите о Центральноазиатском региональном центре ASEM LLL Hub.",
        "en": "I don't know that yet: the centre's articles don't cover it. "
        "Try rephrasing, or ask about the ASEM LLL Hub Central Asia Regional Centre.",
    },
    "empty_question": {
        "kk": "Сұрағыңызды сөзбен жазыңыз, мысалы: «Орталық қай университетте құрылады?»",
        "ru": "Напишите, пожалуйста, вопрос словами, например: «Где будет создан региональный центр?»",
        "en": "Please type your question in words, for example: \"Where will the regional centre be created?\"",
    },
    "no_more": {
        "kk": "Мақалаларда бұл туралы айтылғанның бәрі осы. Басқа сұрақ қойып көріңіз.",
        "ru": "Это всё, что есть об этом в статьях. Задайте другой вопрос.",
        "en": "That's all the articles say about it. Try asking something else.",
    },
    "more_button": {
        "kk": "Толығырақ",
        "ru": "Подробнее",
        "en": "Tell me more",
    },
    # What the "more" button asks for the user: a request `bot.qa.question.asks_for_more` knows.
    "more_request": {
        "kk": "Толығырақ айтып берші",
        "ru": "Расскажи подробнее",
        "en": "Tell me more",
    },
    "more_forgotten": {
        "kk": "Бұл жауап ескіріп кетті, одан әрі айта алмаймын. Сұрағыңызды қайта қойыңызшы.",
        "ru": "Этот ответ уже устарел, продолжить его я не могу. Задайте, пожалуйста, вопрос ещё раз.",
        "en": "That answer is too old for me to go on with. Please ask your question again.",
    },
    "more_of_what": {
        "kk": "Алдымен орталық туралы сұрақ қойыңыз, сонда толығырақ айтып беремін.",
        "ru": "Сначала задайте вопрос о центре, и я расскажу подробнее.",
        "en": "Ask me a question about the centre first, and I'll tell you more.",
    },
    "only_in": {
        "kk": "Бұл ақпарат білім қорында тек {language} бар:",
        "ru": "В базе знаний это есть только {language}:",
        "en": "The knowledge base has this only in {language}:",
    },
    "sources": {"kk": "Дереккөздер", "ru": "Источники", "en": "Sources"},
    "machine_translation": {"kk": "машиналық аударма", "ru": "машинный перевод", "en": "machine translation"},
    "greeting_reply": {
        "kk": "Сәлеметсіз бе! Мен ASEM LLL Hub Орталық Азия өңірлік орталығы туралы сұрақтарға жауап беремін. "
        "Мысалы, сұраңыз: «Орталық Азия өңірлік орталығы қай университетте құрылады?»",
        "ru": "Здравствуйте! Я отвечаю на вопросы о Центральноазиатском региональном центре ASEM LLL Hub. "
        "Спросите, например: «Где будет создан региональный центр?»",
        "en": "Hello! I answer questions about the ASEM LLL Hub Central Asia Regional Centre. "
        "Try, for example: \"Where will the regional centre be created?\"",
    },
    "thanks_reply": {
        "kk": "Оқасы жоқ! Орталық туралы тағы не білгіңіз келеді?",
        "ru": "Пожалуйста! Что ещё вы хотели бы узнать о центре?",
        "en": "You're welcome! What else would you like to know about the centre?",
    },
    "no_index": {
        "kk": "Білім қоры әлі дайын емес. Әкімші индексті құрғаннан кейін қайта сұраңыз.",
        "ru": "База знаний ещё не готова. Спросите снова, когда администратор построит индекс.",
        "en": "The knowledge base is not ready yet. Please ask again once an admin has built the index.",
    },
    "no_articles": {
        "kk": "Білім қорында әзірге бірде-бір мақала жоқ, сондықтан жауап бере алмаймын. Кейінірек қайта сұраңыз.",
        "ru": "В базе знаний пока нет ни одной статьи, поэтому ответить я не могу. Спросите, пожалуйста, позже.",
        "en": "There are no articles in the knowledge base yet, so I cannot answer. Please ask again later.",
    },
    # ------------------------------------------------------------------ skipped knowledge files (index.documents)
    "doc_too_large": {"kk": "файл тым үлкен ({size} байт; шегі — {limit})",
                      "ru": "файл слишком большой ({size} байт; предел — {limit})",
                      "en": "file is too large ({size} bytes; the limit is {limit})"},
    "doc_binary": {"kk": "бұл мәтін емес, екілік файл", "ru": "это не текст, а двоичный файл",
                   "en": "binary content, not text"},
    "doc_not_utf8": {"kk": "мәтін UTF-8 кодтауында емес: файлды UTF-8 ретінде сақтаңыз",
                     "ru": "текст не в кодировке UTF-8: сохраните файл как UTF-8",
                     "en": "not UTF-8 text: save the file as UTF-8"},
    "doc_bad_id": {"kk": "id {id} тек әріптерден, сандардан, «.», «_» және «-» таңбаларынан тұруы керек",
                   "ru": "id {id} может содержать только буквы, цифры, «.», «_» и «-»",
                   "en": "id {id} may only contain letters, digits, '.', '_' and '-'"},
    "doc_unknown_lang": {"kk": "белгісіз тіл «{lang}»: kk, ru немесе en жазыңыз",
                         "ru": "неизвестный язык «{lang}»: укажите kk, ru или en",
                         "en": "unknown language '{lang}'; use one of kk, ru, en"},
    "doc_no_text": {"kk": "мақалада мәтін жоқ", "ru": "в статье нет текста", "en": "the article has no text"},
    "doc_front_matter": {"kk": "басындағы --- блогы қате жазылған ({detail})",
                         "ru": "блок --- в начале файла написан с ошибкой ({detail})",
                         "en": "broken front matter: {detail}"},
    "doc_aliases": {"kk": "басындағы --- блогында & және * белгілеріне рұқсат жоқ",
                    "ru": "в блоке --- в начале файла нельзя использовать & и *",
                    "en": "broken front matter: anchors and aliases (& and *) are not allowed"},
    "doc_unclosed": {"kk": "басындағы --- блогы жабылмаған немесе бос",
                     "ru": "блок --- в начале файла не закрыт или пуст",
                     "en": "broken front matter: the '---' block is not closed or holds no fields"},
    "doc_not_fields": {"kk": "басындағы --- блогында «кілт: мән» жолдары болуы керек",
                       "ru": "в блоке --- в начале файла должны быть строки «ключ: значение»",
                       "en": "broken front matter: expected 'key: value' fields"},
    "doc_bad_flag": {"kk": "{name}: «{value}» мәні true немесе false болуы керек",
                     "ru": "{name}: значение «{value}» должно быть true или false",
                     "en": "{name} '{value}' is not true or false"},
    "doc_bad_date": {"kk": "«{date}» күні ЖЖЖЖ-АА-КК түрінде емес немесе мүмкін емес",
                     "ru": "дата «{date}» не в виде ГГГГ-ММ-ДД или не существует",
                     "en": "date '{date}' is not YYYY-MM-DD"},
    "doc_unreadable": {"kk": "файлды оқу мүмкін болмады (толығырақ бот журналында)",
                       "ru": "файл не удалось прочитать (подробности в журнале бота)",
                       "en": "the file cannot be read (details in the bot's log)"},
    "doc_duplicate_id": {"kk": "{id} id-і {other} файлында қолданылып қойған",
                         "ru": "id {id} уже занят файлом {other}",
                         "en": "id {id} is already used by {other}"},
    "doc_link_folder": {"kk": "бұл қалтаға сілтеме, ол оқылмайды: қалтаның өзін білім қоры қалтасына көшіріңіз",
                        "ru": "это ссылка на папку, она не читается: переместите или скопируйте саму папку в "
                        "папку знаний",
                        "en": "a link to a folder, which is not read: move or copy the folder itself into the "
                        "knowledge folder"},
    "doc_link_missing": {"kk": "{target} сілтемесі жоқ файлға апарады", "ru": "ссылка ведёт на несуществующий {target}",
                         "en": "a link to {target}, which does not exist"},
    # ------------------------------------------------------------------ Telegram bot
    # Plain text: the bot escapes these for HTML. Button labels are short.
    "start_greeting": {
        "kk": "Сәлеметсіз бе, {name}! Мен ASEM LLL Hub Орталық Азия өңірлік орталығы туралы сұрақтарға қазақ, "
        "орыс және ағылшын тілдерінде жауап беремін және орталық мақалаларына сілтеме жасаймын.\n\n"
        "Сұрағыңызды жаза беріңіз. Топта мені атап өтіңіз немесе менің хабарламама жауап беріңіз. "
        "Мысалы, мына сұрақтарды қойып көріңіз:",
        "ru": "Здравствуйте, {name}! Я отвечаю на вопросы о Центральноазиатском региональном центре ASEM LLL Hub "
        "на казахском, русском и английском языках и ссылаюсь на статьи центра.\n\n"
        "Просто напишите вопрос. В группе упомяните меня или ответьте на моё сообщение. "
        "Попробуйте, например:",
        "en": "Hello, {name}! I answer questions about the ASEM LLL Hub Central Asia Regional Centre in Kazakh, "
        "Russian and English, citing the centre's articles.\n\n"
        "Just write your question. In a group, mention me or reply to my message. Try one of these:",
    },
    "start_group": {
        "kk": "Сәлеметсіз бе! Мен ASEM LLL Hub Орталық Азия өңірлік орталығы туралы сұрақтарға жауап беремін. Бұл топта "
        "маған былай сұрақ қойыңыз: {bot} деп атап, сұрағыңызды жазыңыз, менің хабарламама жауап беріңіз немесе "
        "/ask <сұрақ> деп жазыңыз.",
        "ru": "Здравствуйте! Я отвечаю на вопросы о Центральноазиатском региональном центре ASEM LLL Hub. В этой "
        "группе спросите меня так: упомяните {bot} и напишите вопрос, ответьте на моё сообщение или напишите "
        "/ask <вопрос>.",
        "en": "Hello! I answer questions about the ASEM LLL Hub Central Asia Regional Centre. In this group, ask "
        "me by mentioning {bot} with your question, by replying to my message, or with /ask <question>.",
    },
    "example_1": {
        "kk": "Орталық Азия өңірлік орталығы қай университетте құрылады?",
        "ru": "Где будет создан Центральноазиатский региональный центр?",
        "en": "Where will the Central Asian Regional Centre be created?",
    },
    "example_2": {
        "kk": "ASEM LLL Hub төрағалығы Ирландиядан кімге өтті?",
        "ru": "Кому Ирландия передала председательство в ASEM LLL Hub?",
        "en": "Who took over the ASEM LLL Hub chair from Ireland?",
    },
    "example_3": {
        "kk": "Жаңа орталық немен айналысады?",
        "ru": "Чем будет заниматься новый центр?",
        "en": "What will the new centre do?",
    },
    "help_user": {
        "kk": "Мен ASEM LLL Hub Орталық Азия өңірлік орталығы туралы сұрақтарға орталық мақалалары негізінде "
        "жауап беремін және оларға [1], [2] деп сілтеме жасаймын.\n\n"
        "/ask <сұрақ> — сұрақ қою (топта; жеке чатта жай ғана жазыңыз)\n"
        "/lang — жауап тілін таңдау\n"
        "/sources — мен білетін мақалалар\n"
        "/start — сұрақ мысалдары\n"
        "/help — осы анықтама\n\n"
        "«Толығырақ» деп жазсаңыз немесе жауап астындағы батырманы бассаңыз, соңғы жауаптың мақаласынан тағы айтып "
        "беремін. "
        "Жауаптың астындағы 👍 және 👎 батырмалары оның пайдалы болған-болмағанын білуге көмектеседі.",
        "ru": "Я отвечаю на вопросы о Центральноазиатском региональном центре ASEM LLL Hub по статьям центра "
        "и ссылаюсь на них как [1], [2].\n\n"
        "/ask <вопрос> — задать вопрос (в группе; в личном чате просто напишите)\n"
        "/lang — выбрать язык ответов\n"
        "/sources — статьи, которые я знаю\n"
        "/start — примеры вопросов\n"
        "/help — эта справка\n\n"
        "Напишите «подробнее» или нажмите эту кнопку под ответом, и я продолжу по статье последнего ответа. "
        "Кнопки 👍 и 👎 под ответом помогают нам понять, был ли он полезен.",
        "en": "I answer questions about the ASEM LLL Hub Central Asia Regional Centre from the centre's articles "
        "and cite them as [1], [2].\n\n"
        "/ask <question> — ask a question (in groups; in a private chat just write it)\n"
        "/lang — choose the language of my answers\n"
        "/sources — the articles I know\n"
        "/start — example questions\n"
        "/help — this help\n\n"
        "Write \"tell me more\" or press that button under an answer, and I'll go on with the article of my last "
        "answer. "
        "The 👍 and 👎 buttons under an answer tell us whether it helped.",
    },
    "help_admin": {
        "kk": "Әкімші командалары:\n"
        "/reindex — білім қорының индексін жаңарту\n"
        "/add — .md, .txt, .pdf немесе .docx файлына жауап ретінде жіберіңіз, не /add <жаңалық сілтемесі>\n"
        "/remove <id> — мақаланы өшіру\n"
        "/docs — барлық мақалалар және олардың id-і\n"
        "/status — индекс, модель, жұмыс уақыты, бүгінгі сұрақтар\n"
        "/announce <мәтін> — хабарландыру арнасына жариялау (алдымен алдын ала қарау)\n"
        "/unanswered — мен жауап бере алмаған сұрақтар\n"
        "/stats — күн сайынғы сұрақтар графигі",
        "ru": "Команды администратора:\n"
        "/reindex — обновить индекс по папке знаний\n"
        "/add — ответом на файл .md, .txt, .pdf или .docx, либо /add <ссылка на новость>\n"
        "/remove <id> — удалить статью\n"
        "/docs — все статьи и их id\n"
        "/status — индекс, модель, время работы, вопросы за сегодня\n"
        "/announce <текст> — опубликовать в канале объявлений (сначала предпросмотр)\n"
        "/unanswered — вопросы, на которые я не смог ответить\n"
        "/stats — график вопросов по дням",
        "en": "Admin commands:\n"
        "/reindex — update the index from the knowledge folder\n"
        "/add — reply with it to a .md, .txt, .pdf or .docx file, or /add <link to a news page>\n"
        "/remove <id> — remove an article\n"
        "/docs — all articles with their ids\n"
        "/status — index, model, uptime, today's questions\n"
        "/announce <text> — post to the announcement channel (after a preview)\n"
        "/unanswered — questions I could not answer\n"
        "/stats — chart of questions per day",
    },
    "cmd_start": {"kk": "Бастау және сұрақ мысалдары", "ru": "Начало и примеры вопросов", "en": "Start and example questions"},
    "cmd_ask": {"kk": "Сұрақ қою", "ru": "Задать вопрос", "en": "Ask a question"},
    "cmd_help": {"kk": "Анықтама", "ru": "Справка", "en": "Help"},
    "cmd_lang": {"kk": "Жауап тілін таңдау", "ru": "Выбрать язык ответов", "en": "Choose the answer language"},
    "cmd_sources": {"kk": "Мен білетін мақалалар", "ru": "Статьи, которые я знаю", "en": "Articles I know"},
    "cmd_reindex": {"kk": "Индексті жаңарту", "ru": "Обновить индекс", "en": "Update the index"},
    "cmd_add": {"kk": "Мақала қосу (файл немесе сілтеме)", "ru": "Добавить статью (файл или ссылка)",
                "en": "Add an article (file or link)"},
    "cmd_remove": {"kk": "Мақаланы өшіру", "ru": "Удалить статью", "en": "Remove an article"},
    "cmd_docs": {"kk": "Мақалалар тізімі", "ru": "Список статей", "en": "List the articles"},
    "cmd_status": {"kk": "Бот күйі", "ru": "Состояние бота", "en": "Bot status"},
    "cmd_announce": {"kk": "Хабарландыру жариялау", "ru": "Опубликовать объявление", "en": "Post an announcement"},
    "cmd_unanswered": {"kk": "Жауапсыз сұрақтар", "ru": "Вопросы без ответа", "en": "Unanswered questions"},
    "cmd_stats": {"kk": "Сұрақтар статистикасы", "ru": "Статистика вопросов", "en": "Question statistics"},
    "lang_prompt": {
        "kk": "Жауап тілін таңдаңыз. «Автоматты» — сұрақ қай тілде қойылса, сол тілде жауап беру.",
        "ru": "Выберите язык ответов. «Автоматически» — отвечать на языке вопроса.",
        "en": "Choose the language of my answers. «Automatic» answers in the language of each question.",
    },
    "lang_auto": {"kk": "Автоматты", "ru": "Автоматически", "en": "Automatic"},
    "lang_set": {
        "kk": "Дайын: енді қазақ тілінде жауап беремін.",
        "ru": "Готово: теперь отвечаю на русском.",
        "en": "Done: I will answer in English.",
    },
    "lang_auto_set": {
        "kk": "Дайын: сұрақ қай тілде қойылса, сол тілде жауап беремін.",
        "ru": "Готово: буду отвечать на языке вопроса.",
        "en": "Done: I will answer in the language of each question.",
    },
    "sources_title": {
        "kk": "Мен білетін мақалалар ({count}):",
        "ru": "Статьи, которые я знаю ({count}):",
        "en": "Articles I know ({count}):",
    },
    "sources_empty": {
        "kk": "Білім қоры әзірге бос.",
        "ru": "База знаний пока пуста.",
        "en": "The knowledge base is empty for now.",
    },
    "add_first_article": {
        "kk": "Мақала қосу: файлды (.md, .txt, .pdf немесе .docx) жіберіп, оған /add деп жауап беріңіз, "
        "не /add <жаңалық сілтемесі> деп жазыңыз, не файлды білім қоры қалтасына салып, /reindex жіберіңіз.",
        "ru": "Чтобы добавить статью, отправьте файл (.md, .txt, .pdf или .docx) и ответьте на него /add, "
        "или напишите /add <ссылка на новость>, или положите файл в папку знаний и отправьте /reindex.",
        "en": "To add an article, send a file (.md, .txt, .pdf or .docx) and reply to it with /add, "
        "or write /add <link to a news page>, or put the file in the knowledge folder and send /reindex.",
    },
    "mention_empty": {
        "kk": "Не білгіңіз келеді? Сұрақты менің атымнан кейін жазыңыз, мысалы: {bot} Орталық қайда құрылады?",
        "ru": "Что вы хотели бы узнать? Напишите вопрос после моего имени, например: {bot} Где будет создан центр?",
        "en": "What would you like to know? Write your question after my name, for example: {bot} Where will the "
        "centre be created?",
    },
    "ask_usage": {
        "kk": "Сұрақты командадан кейін жазыңыз, мысалы: /ask Орталық қайда құрылады?",
        "ru": "Напишите вопрос после команды, например: /ask Где будет создан центр?",
        "en": "Write the question after the command, for example: /ask Where will the centre be created?",
    },
    "rate_limited": {
        "kk": "Сұрақтарды тым жиі қойып жатырсыз. Соңғы сұрағыңызға {seconds} секундтан кейін жауап беремін; "
        "оған дейін жіберілген басқа сұрақтарды өткізіп жіберемін.",
        "ru": "Вы задаёте вопросы слишком часто. На последний вопрос я отвечу через {seconds} с; другие вопросы, "
        "присланные до этого, я пропущу.",
        "en": "You are asking faster than I can keep up with. I will answer your last question in {seconds} s; "
        "other questions sent before then are skipped.",
    },
    "feedback_thanks": {"kk": "Пікіріңізге рахмет!", "ru": "Спасибо за отзыв!", "en": "Thank you for the feedback!"},
    "feedback_gone": {
        "kk": "Бұл жауап жазбаларымда енді жоқ.",
        "ru": "Этого ответа уже нет в моих записях.",
        "en": "This answer is no longer in my records.",
    },
    "text_only": {
        "kk": "Мен мәтіндік сұрақтарға жауап беремін — сұрағыңызды жазып жіберіңіз.",
        "ru": "Я отвечаю на текстовые вопросы — напишите, пожалуйста, вопрос словами.",
        "en": "I answer text questions: please type your question.",
    },
    "file_hint_admin": {
        "kk": "Бұл файлды білім қорына қосу үшін оған /add командасымен жауап беріңіз.",
        "ru": "Чтобы добавить этот файл в базу знаний, ответьте на него командой /add.",
        "en": "To add this file to the knowledge base, reply to it with /add.",
    },
    "unknown_command": {
        "kk": "Мұндай команданы білмеймін. Не істей алатынымды /help көрсетеді.",
        "ru": "Я не знаю такой команды. Что я умею — в /help.",
        "en": "I don't know this command. /help lists what I can do.",
    },
    "internal_error": {
        "kk": "Кешіріңіз, менде бір қате шықты. Бір минуттан кейін қайталап көріңіз.",
        "ru": "Извините, у меня что-то пошло не так. Попробуйте ещё раз через минуту.",
        "en": "Sorry, something went wrong on my side. Please try again in a minute.",
    },
    "admin_only": {
        "kk": "Кешіріңіз, бұл команда тек орталық әкімшілеріне арналған.",
        "ru": "Извините, эта команда доступна только администраторам центра.",
        "en": "Sorry, this command is only for the centre's administrators.",
    },
    "buttons_expired": {
        "kk": "Бұл батырмалар енді жұмыс істемейді — команданы қайта жіберіңіз.",
        "ru": "Эти кнопки больше не действуют — отправьте команду ещё раз.",
        "en": "These buttons no longer work: send the command again.",
    },
    "reindex_waiting": {
        "kk": "Қазір индекс жаңартылып жатыр; сіздің тапсырмаңыз одан кейін бірден басталады…",
        "ru": "Индекс уже обновляется; ваша задача начнётся сразу после этого…",
        "en": "The index is already being updated; yours starts right after that…",
    },
    "reindex_started": {"kk": "Индексті жаңартып жатырмын…", "ru": "Обновляю индекс…", "en": "Updating the index…"},
    "reindex_progress": {
        "kk": "Индексті жаңартып жатырмын… {stage}: {total} ішінен {done}",
        "ru": "Обновляю индекс… {stage}: {done} из {total}",
        "en": "Updating the index… {stage}: {done} of {total}",
    },
    "stage_chunking": {"kk": "мақалаларды бөлу", "ru": "разбиение статей", "en": "splitting the articles"},
    "stage_embedding": {"kk": "векторларды есептеу", "ru": "вычисление векторов", "en": "computing vectors"},
    "stage_translating": {"kk": "машиналық аудармалар", "ru": "машинный перевод статей",
                          "en": "machine translations"},
    "stage_writing": {"kk": "индексті жазу", "ru": "запись индекса", "en": "writing the index"},
    "reindex_done": {
        "kk": "✅ Индекс {seconds} секундта жаңартылды.",
        "ru": "✅ Индекс обновлён за {seconds} с.",
        "en": "✅ Index updated in {seconds} s.",
    },
    "reindex_unchanged": {
        "kk": "✅ Білім қорында ештеңе өзгерген жоқ: индекс өзекті ({seconds} с).",
        "ru": "✅ В папке знаний ничего не изменилось: индекс актуален ({seconds} с).",
        "en": "✅ Nothing changed in the knowledge folder: the index is up to date ({seconds} s).",
    },
    "report_documents": {
        "kk": "Мақалалар: {added} қосылды, {changed} өзгерді, {removed} өшірілді, {unchanged} өзгеріссіз.",
        "ru": "Статьи: добавлено {added}, изменено {changed}, удалено {removed}, без изменений {unchanged}.",
        "en": "Articles: {added} added, {changed} changed, {removed} removed, {unchanged} unchanged.",
    },
    "report_chunks": {
        "kk": "Индекстегі үзінділер саны: {chunks}.",
        "ru": "Фрагментов в индексе: {chunks}.",
        "en": "Chunks in the index: {chunks}.",
    },
    "report_added": {"kk": "Қосылғандар: {ids}", "ru": "Добавлены: {ids}", "en": "Added: {ids}"},
    "report_changed": {"kk": "Өзгергендер: {ids}", "ru": "Изменены: {ids}", "en": "Changed: {ids}"},
    "report_removed": {"kk": "Өшірілгендер: {ids}", "ru": "Удалены: {ids}", "en": "Removed: {ids}"},
    "report_skipped": {
        "kk": "⚠️ {count} файл өткізіп жіберілді; оларды түзетіп, /reindex командасын қайта жіберіңіз:",
        "ru": "⚠️ Пропущено файлов: {count}; исправьте их и снова отправьте /reindex:",
        "en": "⚠️ {count} file(s) skipped; fix them and send /reindex again:",
    },
    "report_translated": {
        "kk": "🌐 Машиналық аудармалар жасалды: {ids}",
        "ru": "🌐 Сделаны машинные переводы: {ids}",
        "en": "🌐 Machine translations made: {ids}",
    },
    "report_untranslated": {
        "kk": "Машиналық аудармалар өшірілді (түпнұсқа жоқ немесе адам аудармасы қосылды): {ids}",
        "ru": "Удалены машинные переводы (нет оригинала или добавлен перевод человека): {ids}",
        "en": "Machine translations removed (the original is gone or a person's rendition was added): {ids}",
    },
    "report_translation_failed": {
        "kk": "⚠️ Бұл мақалаларды аудару мүмкін болмады, түпнұсқа өзгеріссіз қалды (себебі бот журналында; "
        "келесі /reindex кезінде қайталанады): {ids}",
        "ru": "⚠️ Не удалось перевести эти статьи, оригиналы не тронуты (причина в журнале бота; повтор при "
        "следующем /reindex): {ids}",
        "en": "⚠️ These articles could not be translated; the originals are untouched (the reason is in the "
        "bot's log; tried again at the next /reindex): {ids}",
    },
    "report_too_long": {
        "kk": "Бұл мақалалар машиналық аударма үшін тым ұзын (шегі: CENTRE_BOT_LLM_TRANSLATE_MAX_CHARS): {ids}",
        "ru": "Эти статьи слишком длинные для машинного перевода (предел: CENTRE_BOT_LLM_TRANSLATE_MAX_CHARS): {ids}",
        "en": "These articles are too long for machine translation (the limit: CENTRE_BOT_LLM_TRANSLATE_MAX_CHARS): {ids}",
    },
    "reindex_failed": {
        "kk": "❌ Индексті жаңарту мүмкін болмады: {error}\nСұрақтарға бұрынғы индекс жауап бере береді.",
        "ru": "❌ Не удалось обновить индекс: {error}\nНа вопросы по-прежнему отвечает прежний индекс.",
        "en": "❌ The index could not be updated: {error}\nThe previous index keeps answering questions.",
    },
    "add_usage": {
        "kk": "Мақала қосу үшін файлды (.md, .txt, .pdf немесе .docx) жіберіп, оған /add командасымен жауап "
        "беріңіз немесе /add <жаңалық сілтемесі> деп жазыңыз.",
        "ru": "Чтобы добавить статью, отправьте файл (.md, .txt, .pdf или .docx) и ответьте на него командой /add "
        "или напишите /add <ссылка на новость>.",
        "en": "To add an article, send the file (.md, .txt, .pdf or .docx) and reply to it with /add, "
        "or write /add <link to a news page>.",
    },
    "add_reading_file": {"kk": "{name} файлын оқып жатырмын…", "ru": "Читаю файл {name}…", "en": "Reading {name}…"},
    "add_fetching": {"kk": "Бетті жүктеп жатырмын: {url}", "ru": "Загружаю страницу: {url}", "en": "Downloading the page: {url}"},
    "add_saved": {
        "kk": "{id} ретінде сақталды. Индексті жаңартып жатырмын…",
        "ru": "Сохранено как {id}. Обновляю индекс…",
        "en": "Saved as {id}. Updating the index…",
    },
    "add_done": {
        "kk": "✅ Білім қорына қосылды: «{title}»\nid: {id} · тілі: {lang} · күні: {date}",
        "ru": "✅ Добавлено в базу знаний: «{title}»\nid: {id} · язык: {lang} · дата: {date}",
        "en": "✅ Added to the knowledge base: «{title}»\nid: {id} · language: {lang} · date: {date}",
    },
    "add_not_indexed": {
        "kk": "⚠️ Файл сақталды, бірақ индекске кірмеді: {error}",
        "ru": "⚠️ Файл сохранён, но в индекс не попал: {error}",
        "en": "⚠️ The file was saved but the indexer skipped it: {error}",
    },
    "add_duplicate": {
        "kk": "Бұл мақала білім қорында бар: {id} («{title}»). Ештеңе қосылған жоқ.",
        "ru": "Эта статья уже есть в базе знаний: {id} («{title}»). Ничего не добавлено.",
        "en": "This article is already in the knowledge base as {id} («{title}»). Nothing was added.",
    },
    "add_download_failed": {
        "kk": "Файлды Telegram-нан жүктеу мүмкін болмады. Оны қайта жіберіңіз; қайталанса, файл 20 МБ-тан "
        "аспайтынын тексеріңіз.",
        "ru": "Не удалось скачать файл из Telegram. Отправьте его ещё раз; если не выйдет, проверьте, что файл "
        "не больше 20 МБ.",
        "en": "Could not download the file from Telegram. Please send it again; if that fails too, check that "
        "the file is at most 20 MB.",
    },
    "ingest_bad_type": {
        "kk": "{ext} түріндегі файлдарды қосу мүмкін емес. Мыналардың бірін жіберіңіз: {allowed}.",
        "ru": "Файлы типа {ext} добавить нельзя. Подходят: {allowed}.",
        "en": "Files of type {ext} can't be added. Send one of: {allowed}.",
    },
    "ingest_too_big": {
        "kk": "Файл тым үлкен ({size}; шегі — {limit}).",
        "ru": "Файл слишком большой ({size}; предел — {limit}).",
        "en": "The file is too large ({size}; the limit is {limit}).",
    },
    "ingest_not_text": {
        "kk": "Файл UTF-8 кодтауындағы мәтін емес. Оны UTF-8 (немесе .docx/.pdf) түрінде сақтап, қайта жіберіңіз.",
        "ru": "Файл не является текстом в кодировке UTF-8. Сохраните его в UTF-8 (или как .docx/.pdf) и отправьте снова.",
        "en": "The file is not UTF-8 text. Save it as UTF-8 (or as .docx/.pdf) and send it again.",
    },
    "ingest_no_text": {
        "kk": "Онда мәтін жоқтың қасы ({chars} таңба, кемінде {minimum} қажет). Сканерленген PDF-те мәтін "
        "қабаты болмайды — мәтінді .docx немесе .txt түрінде жіберіңіз.",
        "ru": "В нём почти нет текста ({chars} символов, нужно хотя бы {minimum}). У отсканированного PDF нет "
        "текстового слоя — пришлите текст в .docx или .txt.",
        "en": "I found almost no text in it ({chars} characters; at least {minimum} are needed). A scanned PDF "
        "has no text layer: send the text as .docx or .txt instead.",
    },
    "ingest_bad_file": {
        "kk": "Файлды оқу мүмкін болмады: оны қайтадан .docx немесе .pdf ретінде сақтаңыз не мәтінді .txt "
        "файлымен жіберіңіз.",
        "ru": "Не удалось прочитать файл: сохраните его заново как .docx или .pdf либо пришлите текст файлом .txt.",
        "en": "The file could not be read: save it again as .docx or .pdf, or send the text as a .txt file.",
    },
    "ingest_pdf_locked": {
        "kk": "PDF құпиясөзбен қорғалған. Қорғаусыз PDF ретінде сақтаңыз не мәтінді .docx немесе .txt файлымен жіберіңіз.",
        "ru": "PDF защищён паролем. Сохраните его без защиты или пришлите текст файлом .docx или .txt.",
        "en": "The PDF is password-protected. Save it without protection, or send the text as .docx or .txt.",
    },
    "ingest_invalid": {
        "kk": "Мақаланы индекстеу мүмкін емес: {error}",
        "ru": "Статью нельзя проиндексировать: {error}",
        "en": "The article can't be indexed: {error}",
    },
    "ingest_exists": {
        "kk": "Білім қорында {id} файлы бұрыннан бар. Алдымен оны /remove {id} арқылы өшіріңіз немесе id-ін өзгертіңіз.",
        "ru": "Файл {id} уже есть в папке знаний. Сначала удалите его командой /remove {id} или измените id.",
        "en": "A file for {id} already exists in the knowledge folder. Remove it with /remove {id} first, or change the id.",
    },
    "ingest_took_too_long": {
        "kk": "Файлды оқу {seconds} секундтан асып кетті, сондықтан тоқтатылды. Мәтінді .txt ретінде жіберіңіз.",
        "ru": "Чтение файла заняло больше {seconds} с и было остановлено. Пришлите текст как .txt.",
        "en": "Reading the file took longer than {seconds} s and was stopped. Send the text as .txt instead.",
    },
    "ingest_too_much_memory": {
        "kk": "Бұл файлды оқу {limit} жадтан көп қажет етті, сондықтан тоқтатылды. Оны бірнеше файлға бөліңіз "
        "немесе мәтінді .txt ретінде жіберіңіз.",
        "ru": "Чтение этого файла потребовало больше {limit} памяти и было остановлено. Разделите его на несколько "
        "файлов или пришлите текст как .txt.",
        "en": "Reading this file needed more than {limit} of memory and was stopped. Split it into several files, "
        "or send the text as .txt.",
    },
    "ingest_docx_too_big": {
        "kk": "Бұл .docx файлы ашқанда тым үлкен ({size}; шегі — {limit}). Мәтінді жаңа құжатқа көшіріп, "
        "суреттерсіз сақтаңыз немесе .txt ретінде жіберіңіз.",
        "ru": "Этот .docx в распакованном виде слишком большой ({size}; предел — {limit}). Скопируйте текст в "
        "новый документ без картинок или пришлите его как .txt.",
        "en": "This .docx is too large once unpacked ({size}; the limit is {limit}). Copy the text into a new "
        "document without pictures, or send it as .txt.",
    },
    "ingest_docx_too_many_paragraphs": {
        "kk": "Бұл .docx файлында абзац тым көп ({count}; шегі — {limit}). Оны бірнеше мақалаға бөліңіз.",
        "ru": "В этом .docx слишком много абзацев ({count}; предел — {limit}). Разделите его на несколько статей.",
        "en": "This .docx has too many paragraphs ({count}; the limit is {limit}). Split it into several articles.",
    },
    "ingest_text_too_long": {
        "kk": "Мақала мәтіні тым ұзын ({size}; шегі — {limit}). Оны бірнеше мақалаға бөліңіз.",
        "ru": "Текст статьи слишком длинный ({size}; предел — {limit}). Разделите его на несколько статей.",
        "en": "The article text is too long ({size}; the limit is {limit}). Split it into several articles.",
    },
    "ingest_bad_url": {
        "kk": "Бұл веб-бет сілтемесіне ұқсамайды: {url}. http:// немесе https:// деп басталатын сілтеме жіберіңіз.",
        "ru": "Это не похоже на ссылку на веб-страницу: {url}. Пришлите ссылку, которая начинается с http:// или https://.",
        "en": "This doesn't look like a web page link: {url}. Send a link that starts with http:// or https://.",
    },
    "ingest_unresolvable": {
        "kk": "{host} сайты табылмады. Сілтемені тексеріңіз.",
        "ru": "Сайт {host} не найден. Проверьте ссылку.",
        "en": "The site {host} could not be found. Check the link.",
    },
    "ingest_private_url": {
        "kk": "Сілтеме ішкі желі мекенжайына ({address}) апарады, қауіпсіздік үшін мұндай беттерді ашпаймын. "
        "Жалпыға қолжетімді сілтеме жіберіңіз.",
        "ru": "Ссылка ведёт на адрес внутренней сети ({address}); из соображений безопасности я такие страницы "
        "не открываю. Пришлите общедоступную ссылку.",
        "en": "The link points to an internal network address ({address}), which I don't open for safety. "
        "Send a public link.",
    },
    "ingest_too_slow": {
        "kk": "Бет {seconds} секундта толық жүктелмеді: сайт тым баяу жауап береді. Кейінірек қайталаңыз немесе "
        "мақаланы файл ретінде жіберіңіз.",
        "ru": "Страница не загрузилась целиком за {seconds} с: сайт отвечает слишком медленно. Попробуйте позже "
        "или пришлите статью файлом.",
        "en": "The page did not arrive in full within {seconds} s: the site is too slow. Try again later, or send "
        "the article as a file.",
    },
    "ingest_fetch_failed": {
        "kk": "Бетті жүктеу мүмкін болмады. Сілтемені тексеріңіз немесе кейінірек қайталаңыз.",
        "ru": "Не удалось загрузить страницу. Проверьте ссылку или попробуйте позже.",
        "en": "The page could not be downloaded. Check the link or try again later.",
    },
    "ingest_http_status": {
        "kk": "Сайт {status} қатесімен жауап берді. Сілтеменің браузерде ашылатынын тексеріңіз.",
        "ru": "Сайт ответил ошибкой {status}. Проверьте, что ссылка открывается в браузере.",
        "en": "The site answered with error {status}. Check that the link opens in a browser.",
    },
    "ingest_not_html": {
        "kk": "Сілтеме веб-бетке емес, {type} түріндегі файлға апарады. Файлды жүктеп алып, маған /add арқылы жіберіңіз.",
        "ru": "Ссылка ведёт не на веб-страницу, а на файл типа {type}. Скачайте файл и отправьте его мне с /add.",
        "en": "The link leads to a file of type {type}, not a web page. Download the file and send it to me with /add.",
    },
    "ingest_page_too_big": {
        "kk": "Бет {limit} көлемінен үлкен; мұндай үлкен беттерді жүктемеймін.",
        "ru": "Страница больше {limit}; такие большие страницы я не загружаю.",
        "en": "The page is larger than {limit}; I don't download pages that big.",
    },
    "ingest_too_many_redirects": {
        "kk": "Сілтеме {limit} реттен көп қайта бағытталады. Оны браузерде ашып, соңғы мекенжайды жіберіңіз.",
        "ru": "Ссылка перенаправляет больше {limit} раз. Откройте её в браузере и пришлите конечный адрес.",
        "en": "The link redirects more than {limit} times. Open it in a browser and send me the final address.",
    },
    "ingest_bad_page": {
        "kk": "Бұл бетті оқу мүмкін болмады. Мәтінді .txt немесе .docx файлына көшіріп, /add арқылы жіберіңіз.",
        "ru": "Не удалось разобрать эту страницу. Скопируйте текст в файл .txt или .docx и отправьте его с /add.",
        "en": "That page could not be read. Copy the text into a .txt or .docx file and send it with /add.",
    },
    "ingest_no_article": {
        "kk": "Бұл беттен мақала мәтінін таба алмадым. Мәтінді .txt немесе .docx файлына көшіріп, /add арқылы жіберіңіз.",
        "ru": "Не удалось найти на странице текст статьи. Скопируйте текст в файл .txt или .docx и отправьте его с /add.",
        "en": "I couldn't find article text on that page. Copy the text into a .txt or .docx file and send it with /add.",
    },
    "ingest_extractor_missing": {
        "kk": "Бұл серверде веб-беттерді оқу мүмкіндігі жоқ. Операторға жетіспейтін пакетті орнатуды "
        "айтыңыз; әзірге мақаланы файл ретінде жіберіңіз.",
        "ru": "На этом сервере чтение веб-страниц недоступно. Попросите оператора установить недостающий "
        "пакет, а пока пришлите статью файлом.",
        "en": "Reading web pages is not available on this server. Ask the operator to install the missing "
        "package; meanwhile, send the article as a file.",
    },
    "remove_pick": {
        "kk": "Қай мақаланы өшіру керек? (бет {page}/{pages})",
        "ru": "Какую статью удалить? (страница {page} из {pages})",
        "en": "Which article should be removed? (page {page} of {pages})",
    },
    "remove_confirm": {
        "kk": "«{title}» ({id}) өшірілсін бе? Файл деректер қалтасындағы removed/ ішіне көшіріледі.",
        "ru": "Удалить «{title}» ({id})? Файл будет перемещён в папку removed/ в папке данных.",
        "en": "Remove «{title}» ({id})? The file is moved to removed/ in the data folder.",
    },
    "remove_yes": {"kk": "Иә, өшіру", "ru": "Да, удалить", "en": "Yes, remove"},
    "remove_no": {"kk": "Жоқ", "ru": "Нет", "en": "No"},
    "remove_kept": {"kk": "Жарайды, ештеңе өшірілмеді.", "ru": "Хорошо, ничего не удалено.",
                    "en": "Fine: nothing was removed."},
    "remove_gone": {
        "kk": "Бұл мақала енді білім қорында жоқ.",
        "ru": "Этой статьи уже нет в базе знаний.",
        "en": "That article is no longer in the knowledge base.",
    },
    "remove_not_found": {
        "kk": "{id} id-і бар мақала жоқ. Барлық id-лер /docs тізімінде.",
        "ru": "Статьи с id {id} нет. Все id есть в /docs.",
        "en": "There is no article with id {id}. /docs lists the ids.",
    },
    "remove_undone": {
        "kk": "Индекс жаңармағандықтан, {id} мақаласы өшірілмеді: файл орнына қайтарылды. Себебін түзетіп, "
        "/remove командасын қайталаңыз.",
        "ru": "Статья {id} не удалена, потому что индекс не обновился: файл возвращён на место. Устраните причину "
        "и повторите /remove.",
        "en": "The article {id} was not removed because the index could not be updated: the file is back in "
        "place. Fix the cause and send /remove again.",
    },
    "remove_done": {
        "kk": "🗑 «{title}» ({id}) өшірілді. Файл {path} қалтасына көшірілді, оны қалпына келтіруге болады.",
        "ru": "🗑 Статья «{title}» ({id}) удалена. Файл перемещён в {path}, его можно восстановить.",
        "en": "🗑 Removed «{title}» ({id}). The file was moved to {path}, so it can be restored.",
    },
    "remove_orphans": {
        "kk": "Ескерту: оның {ids} аудармалары білім қорында қалды және жауап беруді жалғастырады. "
        "Оларды да алып тастау керек болса, /remove арқылы өшіріңіз.",
        "ru": "Обратите внимание: её переводы {ids} остались в базе знаний и продолжают использоваться в ответах. "
        "Если их тоже нужно убрать, удалите их командой /remove.",
        "en": "Note: its renditions {ids} stay in the knowledge and keep being used in answers. "
        "If they should go too, remove them with /remove.",
    },
    "disk_full": {
        "kk": "деректер қалтасы ({path}) орналасқан диск толып қалды: онда кемінде {mb} МБ орын босатып, қайталаңыз",
        "ru": "диск с папкой данных ({path}) заполнен: освободите на нём не меньше {mb} МБ и повторите",
        "en": "the disk holding the data folder ({path}) is full: free at least {mb} MB there and try again",
    },
    "error_in_log": {
        "kk": "күтпеген қате ({kind}); толығырақ бот журналында",
        "ru": "непредвиденная ошибка ({kind}); подробности в журнале бота",
        "en": "an unexpected error ({kind}); the details are in the bot's log",
    },
    "task_failed": {
        "kk": "Бірдеңе дұрыс болмады: {error}. Бұрынғы индекс жауап беруді жалғастырады. "
        "Бот журналын қарап, себебін түзетіп, қайталап көріңіз.",
        "ru": "Что-то пошло не так: {error}. Прежний индекс продолжает отвечать. "
        "Посмотрите журнал бота, устраните причину и попробуйте снова.",
        "en": "Something went wrong: {error}. The previous index keeps answering. "
        "Check the bot's log, fix the cause and try again.",
    },
    "docs_title": {
        "kk": "Білім қорындағы мақалалар ({count}):",
        "ru": "Статьи в базе знаний ({count}):",
        "en": "Articles in the knowledge base ({count}):",
    },
    "status_title": {"kk": "Бот күйі", "ru": "Состояние бота", "en": "Bot status"},
    "status_documents": {"kk": "Мақалалар: {count} ({by_lang})", "ru": "Статьи: {count} ({by_lang})",
                         "en": "Articles: {count} ({by_lang})"},
    "status_chunks": {"kk": "Үзінділер: {count} ({by_lang})", "ru": "Фрагменты: {count} ({by_lang})",
                      "en": "Chunks: {count} ({by_lang})"},
    "status_model": {"kk": "Эмбеддинг моделі: {model}", "ru": "Модель эмбеддингов: {model}", "en": "Embedding model: {model}"},
    "status_index": {
        "kk": "Индекс құрылған уақыт: {created} ({age} бұрын)",
        "ru": "Индекс построен: {created} ({age} назад)",
        "en": "Index built: {created} ({age} ago)",
    },
    "status_uptime": {"kk": "Боттың жұмыс уақыты: {uptime}", "ru": "Бот работает: {uptime}", "en": "Bot running for: {uptime}"},
    "status_today": {
        "kk": "Бүгінгі сұрақтар: {total}, жауап берілгені: {share}",
        "ru": "Вопросов сегодня: {total}, с ответом: {share}",
        "en": "Questions today: {total}, answered: {share}",
    },
    "status_feedback": {
        "kk": "Соңғы 30 күндегі пікірлер: 👍 {up} · 👎 {down}",
        "ru": "Отзывы за 30 дней: 👍 {up} · 👎 {down}",
        "en": "Feedback in the last 30 days: 👍 {up} · 👎 {down}",
    },
    "status_announce": {"kk": "Хабарландыру арнасы: {chat}", "ru": "Канал объявлений: {chat}", "en": "Announcement chat: {chat}"},
    "status_announce_none": {
        "kk": "Хабарландыру арнасы: орнатылмаған (CENTRE_BOT_ANNOUNCE_CHAT_ID)",
        "ru": "Канал объявлений: не задан (CENTRE_BOT_ANNOUNCE_CHAT_ID)",
        "en": "Announcement chat: not set (CENTRE_BOT_ANNOUNCE_CHAT_ID)",
    },
    "status_other_model": {
        "kk": "⚠️ Қазіргі индексті басқа модель ({built_with}) құрған, ал бапталғаны — {configured}. Мен осы "
        "модельмен құрылған алдыңғы индекстен жауап беріп отырмын. /reindex жіберіңіз.",
        "ru": "⚠️ Текущий индекс построен другой моделью ({built_with}), а настроена {configured}. Я отвечаю по "
        "предыдущему индексу этой модели. Отправьте /reindex.",
        "en": "⚠️ The live index was built with another model ({built_with}) than the configured {configured}. "
        "I answer from the previous index of the configured model. Send /reindex.",
    },
    "status_other_model_refused": {
        "kk": "⚠️ Индексті басқа модель ({built_with}) құрған, ал бапталғаны — {configured}, сондықтан сұрақтарға "
        "жауап бере алмаймын. /reindex жіберіңіз.",
        "ru": "⚠️ Индекс построен другой моделью ({built_with}), а настроена {configured}, поэтому отвечать на "
        "вопросы я не могу. Отправьте /reindex.",
        "en": "⚠️ The index was built with another model ({built_with}) than the configured {configured}, so I "
        "cannot answer questions. Send /reindex.",
    },
    "status_no_index": {
        "kk": "Индекс әлі құрылмаған: /reindex командасын жіберіңіз.",
        "ru": "Индекс ещё не построен: отправьте /reindex.",
        "en": "The index is not built yet: send /reindex.",
    },
    "unit_day": {"kk": "күн", "ru": "д", "en": "d"},
    "unit_hour": {"kk": "сағ", "ru": "ч", "en": "h"},
    "unit_minute": {"kk": "мин", "ru": "мин", "en": "min"},
    "unit_second": {"kk": "с", "ru": "с", "en": "s"},
    "announce_usage": {
        "kk": "Хабарландыру мәтінін командадан кейін жазыңыз: /announce <мәтін>. Алдымен оның қалай көрінетінін көрсетемін.",
        "ru": "Напишите текст объявления после команды: /announce <текст>. Сначала я покажу предпросмотр.",
        "en": "Write the announcement after the command: /announce <text>. I'll show you a preview first.",
    },
    "announce_no_chat": {
        "kk": "Хабарландыру арнасы орнатылмаған. Операторға CENTRE_BOT_ANNOUNCE_CHAT_ID мәніне арнаның @атауын "
        "немесе топтың id-ін жазуды және ботты сол жерде әкімші етуді айтыңыз.",
        "ru": "Канал объявлений не задан. Попросите оператора указать в CENTRE_BOT_ANNOUNCE_CHAT_ID @имя канала "
        "или id группы и сделать бота там администратором.",
        "en": "No announcement chat is set. Ask the operator to set CENTRE_BOT_ANNOUNCE_CHAT_ID to the channel's "
        "@name or the group's id, and to make the bot an administrator there.",
    },
    "announce_preview": {
        "kk": "Алдын ала қарау. Хабарландыру {chat} арнасында былай жарияланады:",
        "ru": "Предпросмотр. Объявление будет опубликовано в {chat} так:",
        "en": "Preview. The announcement will be posted to {chat} like this:",
    },
    "announce_confirm": {"kk": "✅ Жариялау", "ru": "✅ Опубликовать", "en": "✅ Publish"},
    "announce_cancel": {"kk": "✖️ Бас тарту", "ru": "✖️ Отмена", "en": "✖️ Cancel"},
    "announce_posted": {"kk": "✅ {chat} арнасында жарияланды.", "ru": "✅ Опубликовано в {chat}.", "en": "✅ Posted to {chat}."},
    "announce_cancelled": {
        "kk": "Бас тартылды: ештеңе жарияланған жоқ.",
        "ru": "Отменено: ничего не опубликовано.",
        "en": "Cancelled: nothing was posted.",
    },
    "announce_too_long": {
        "kk": "Хабарландыру тым ұзын ({length} таңба; шегі — {limit}).",
        "ru": "Объявление слишком длинное ({length} символов; предел — {limit}).",
        "en": "The announcement is too long ({length} characters; the limit is {limit}).",
    },
    "announce_read_more": {"kk": "Мақаланы оқу", "ru": "Читать статью", "en": "Read the article"},
    "announce_digest": {
        "kk": "Жаңа мақалалар ({count})",
        "ru": "Новые статьи ({count})",
        "en": "New articles ({count})",
    },
    "held_offer": {
        "kk": "Хабарландыру арнасы орнатылмаған кезде {count} мақала қосылды. Оларды қазір {chat} арнасында бір "
        "жазбамен жариялайын ба?",
        "ru": "Пока канал объявлений не был задан, добавлено статей: {count}. Опубликовать их сейчас в {chat} "
        "одним постом?",
        "en": "{count} article(s) were added while no announcement chat was set. Post them to {chat} now, in "
        "one post?",
    },
    "held_post": {"kk": "Жариялау", "ru": "Опубликовать", "en": "Post them"},
    "held_skip": {"kk": "Жарияламау", "ru": "Не публиковать", "en": "Skip"},
    "held_skipped": {
        "kk": "Жарайды: бұл мақалалар жарияланбайды.",
        "ru": "Хорошо: эти статьи не будут опубликованы.",
        "en": "Fine: these articles will not be announced.",
    },
    "held_posting": {"kk": "{chat} арнасында жариялап жатырмын…", "ru": "Публикую в {chat}…",
                     "en": "Posting to {chat}…"},
    "announce_new_posted": {
        "kk": "📣 {chat} арнасында жарияланды: «{title}»",
        "ru": "📣 Анонс опубликован в {chat}: «{title}»",
        "en": "📣 Announced in {chat}: «{title}»",
    },
    "announce_failed": {
        "kk": "❌ {chat} арнасына жариялау мүмкін болмады.",
        "ru": "❌ Не удалось опубликовать в {chat}.",
        "en": "❌ Could not post to {chat}.",
    },
    "announce_fix_chat_not_found": {
        "kk": "Telegram {chat} чатын білмейді. CENTRE_BOT_ANNOUNCE_CHAT_ID мәнін тексеріңіз: арнаның @атауын немесе "
        "топтың сандық id-ін (-100-ден басталады) жазып, ботты сол чатқа қосыңыз.",
        "ru": "Telegram не знает чат {chat}. Проверьте CENTRE_BOT_ANNOUNCE_CHAT_ID: укажите @имя канала или числовой "
        "id группы (начинается с -100) и добавьте бота в этот чат.",
        "en": "Telegram does not know the chat {chat}. Check CENTRE_BOT_ANNOUNCE_CHAT_ID: use the channel's @username "
        "or the group's numeric id (it starts with -100), and add the bot to that chat.",
    },
    "announce_fix_not_member": {
        "kk": "Бот {chat} чатының мүшесі емес. Оны арнаға немесе топқа әкімші ретінде қосыңыз.",
        "ru": "Бот не состоит в {chat}. Добавьте его в канал или группу администратором.",
        "en": "The bot is not a member of {chat}. Add it to the channel or group as an administrator.",
    },
    "announce_fix_not_admin": {
        "kk": "Боттың {chat} чатында жазуға құқығы жоқ. Оны «Хабарлар жариялау» құқығы бар әкімші етіңіз.",
        "ru": "Бот не может публиковать в {chat}. Сделайте его администратором с правом «Публикация сообщений».",
        "en": "The bot may not post in {chat}. Make it an administrator with the «Post messages» right.",
    },
    "announce_fix_other": {
        "kk": "Боттың {chat} чатында жаза алатынын тексеріңіз.",
        "ru": "Проверьте, что бот может публиковать в {chat}.",
        "en": "Check that the bot can post in {chat}.",
    },
    "announce_retry_reindex": {
        "kk": "Түзеткеннен кейін /reindex жіберіңіз: жарияланбаған мақалалар қайта жіберіледі.",
        "ru": "После исправления отправьте /reindex: неопубликованные анонсы будут отправлены снова.",
        "en": "Once fixed, send /reindex: the articles not yet announced are posted then.",
    },
    "announce_retry_button": {
        "kk": "Түзеткеннен кейін «Жариялау» батырмасын қайта басыңыз.",
        "ru": "После исправления снова нажмите «Опубликовать».",
        "en": "Once fixed, press «Publish» again.",
    },
    "announce_uncertain": {
        "kk": "⚠️ «{title}» жазбасын {chat} арнасына жариялау кезінде байланыс үзіліп қалды, сондықтан ол "
        "жарияланды ма, білмеймін. Арнаны тексеріңіз: жазба болмаса, оны /announce арқылы жариялаңыз.",
        "ru": "⚠️ Во время публикации «{title}» в {chat} оборвалась связь, и я не знаю, вышел ли пост. "
        "Проверьте канал: если поста нет, опубликуйте его через /announce.",
        "en": "⚠️ The connection broke while posting «{title}» to {chat}, so I can't tell whether it went out. "
        "Check the channel: if the post is missing, publish it with /announce.",
    },
    "announce_already_posted": {
        "kk": "Бұл хабарландыру жарияланып қойған: қайта жарияланбайды.",
        "ru": "Это объявление уже опубликовано: повторно оно не выйдет.",
        "en": "This announcement was already posted: it is not posted again.",
    },
    "admin_private_only": {
        "kk": "Бұл команда ішкі мәліметтерді көрсетеді, сондықтан ол тек жеке чатта жұмыс істейді: {bot} ботына "
        "жеке жазыңыз.",
        "ru": "Эта команда показывает внутренние сведения, поэтому работает только в личном чате: напишите {bot} "
        "в личные сообщения.",
        "en": "This command shows internal details, so it works in a private chat only: message {bot} directly.",
    },
    "announce_unsettled": {
        "kk": "⚠️ «{title}» жазбасы {chat} арнасына жарияланып жатқанда бот тоқтап қалды, сондықтан ол жарияланды "
        "ма, білмеймін. Арнаны тексеріңіз: жазба жоқ болса, «Қайта жариялау» батырмасын басыңыз.",
        "ru": "⚠️ Бот остановился во время публикации «{title}» в {chat}, поэтому пост мог не выйти. Проверьте "
        "канал: если поста нет, нажмите «Опубликовать снова».",
        "en": "⚠️ The bot stopped while posting «{title}» to {chat}, so it may not have been posted. Check the "
        "channel: if the post is missing, press «Publish again».",
    },
    "announce_publish_again": {"kk": "Қайта жариялау", "ru": "Опубликовать снова", "en": "Publish again"},
    "announce_is_there": {"kk": "Жазба арнада бар", "ru": "Пост в канале есть", "en": "It is in the channel"},
    "announce_marked_posted": {
        "kk": "Жақсы: жазба жарияланған деп белгіленді.",
        "ru": "Хорошо: пост отмечен как опубликованный.",
        "en": "Fine: the post is marked as published.",
    },
    "announce_already_settled": {
        "kk": "Бұл жазба бұрын жарияланған: қайта жарияланбайды.",
        "ru": "Этот пост уже опубликован: повторно он не выйдет.",
        "en": "This post was already dealt with: it will not be posted again.",
    },
    "announce_cannot_repost": {
        "kk": "Бұл мақала енді индексте жоқ немесе арна орнатылмаған, сондықтан жариялау мүмкін емес.",
        "ru": "Этой статьи больше нет в индексе или канал не задан, поэтому опубликовать её нельзя.",
        "en": "The article is no longer in the index, or no channel is set, so it cannot be posted.",
    },
    "announce_repost_failed": {
        "kk": "{chat} арнасына жариялау мүмкін болмады. Кейінірек қайталаңыз.",
        "ru": "Не удалось опубликовать в {chat}. Попробуйте позже.",
        "en": "Could not post to {chat}. Try again later.",
    },
    "announce_check_first": {
        "kk": "⚠️ {chat} арнасына жариялау кезінде байланыс үзіліп қалды. Алдымен арнаны тексеріңіз: жазба "
        "болмаса ғана «Жариялау» батырмасын қайта басыңыз.",
        "ru": "⚠️ Во время публикации в {chat} оборвалась связь. Сначала проверьте канал и нажмите "
        "«Опубликовать» ещё раз, только если поста там нет.",
        "en": "⚠️ The connection broke while posting to {chat}. Check the channel first, and press «Publish» "
        "again only if the post is not there.",
    },
    "unanswered_title": {
        "kk": "Мен жауап бере алмаған соңғы сұрақтар ({count}) — білім қорын толықтыратын тақырыптар:",
        "ru": "Последние вопросы, на которые я не смог ответить ({count}), — пробелы в базе знаний:",
        "en": "The latest questions I could not answer ({count}) — the knowledge gaps to fill:",
    },
    "unanswered_empty": {
        "kk": "Әзірге жауапсыз сұрақтар жоқ.",
        "ru": "Вопросов без ответа пока нет.",
        "en": "No unanswered questions so far.",
    },
    "disliked_title": {
        "kk": "👎 белгісі қойылған жауаптар ({count}):",
        "ru": "Ответы, отмеченные 👎 ({count}):",
        "en": "Answers marked 👎 ({count}):",
    },
    "stats_empty": {
        "kk": "Әзірге сұрақтар жоқ: адамдар сұрай бастағанда график пайда болады.",
        "ru": "Вопросов пока нет: график появится, когда люди начнут спрашивать.",
        "en": "No questions yet: the chart appears once people start asking.",
    },
    "stats_caption": {
        "kk": "Соңғы {days} күндегі сұрақтар: {total}, жауап берілгені: {share}.",
        "ru": "Вопросов за последние {days} дней: {total}, с ответом: {share}.",
        "en": "Questions in the last {days} days: {total}, answered: {share}.",
    },
    "stats_modes": {
        "kk": "Жауаптар: генеративті (LLM) {generative}, мақаладан дәйексөз {extractive}, «білмеймін» {refused}.",
        "ru": "Ответы: генеративные (LLM) {generative}, цитатой из статей {extractive}, «не знаю» {refused}.",
        "en": "Answers: generative (LLM) {generative}, quoted from the articles {extractive}, \"I don't know\" {refused}.",
    },
    "chart_title": {
        "kk": "Күндер және тілдер бойынша сұрақтар",
        "ru": "Вопросы по дням и языкам",
        "en": "Questions per day by language",
    },
    "chart_questions": {"kk": "сұрақтар", "ru": "вопросы", "en": "questions"},
    "chart_answered": {"kk": "жауап берілгені, %", "ru": "с ответом, %", "en": "answered, %"},
}

# Each language's own name, in lists of articles and on buttons.
LANGUAGE_NAMES = {"kk": "қазақша", "ru": "русский", "en": "English"}

# Language names as they read inside the "only_in" sentence of each language.
LANGUAGE_IN: dict[str, dict[str, str]] = {
    "kk": {"kk": "қазақ тілінде", "ru": "орыс тілінде", "en": "ағылшын тілінде"},
    "ru": {"kk": "на казахском", "ru": "на русском", "en": "на английском"},
    "en": {"kk": "Kazakh", "ru": "Russian", "en": "English"},
}


def t(key: str, lang: str, **values) -> str:
    table = TEXTS[key]
    text = table.get(lang) or table["en"]
    return text.format(**values) if values else text


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
