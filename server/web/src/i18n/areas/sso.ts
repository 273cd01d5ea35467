// Sso texts of the web client, English and Russian. en.ts and ru.ts spread them in.
import type { EnglishPlural } from '../plural.ts'
import type { RussianOf } from './russian-of.ts'

export const ssoEn = {
  'sso.button': 'Sign in with {name}',
  'sso.buttonGeneric': 'Sign in with your corporate account',
  'sso.or': 'or',
  'sso.field.login': 'Email or username',
  'sso.error.sso_failed': 'Corporate sign-in didn’t work. Please try again; if it keeps failing, tell your administrator.',
  'sso.error.sso_unavailable': 'The corporate sign-in service can’t be reached right now. Try again in a few minutes.',
  'sso.error.sso_denied': 'Sign-in was cancelled, or your corporate account service refused it.',
  'sso.error.sso_expired': 'The sign-in took too long or was already used. Please start again.',
  'sso.error.sso_blocked': 'Your account is blocked. Ask an administrator.',
  'sso.error.sso_email_taken':
    'Veche already has an account with your email that signs in with a password. Sign in with it below, or ask an administrator.',
  'sso.error.sso_no_email': 'Your corporate account has no email address, and Veche needs one. Ask your administrator to add it.',
  'sso.error.sso_not_allowed': 'Your corporate account isn’t allowed to use Veche. Ask your administrator for access.',
  'sso.error.sso_off': 'Corporate sign-in isn’t set up on this server. Sign in with your email and password.',
  'sso.error.feature_unlicensed': 'This server’s license doesn’t include corporate sign-in. Sign in with your password, or ask the administrator.',
  'sso.error.license_required': 'Corporate sign-in needs an active license on this server. Ask the administrator.',
  'sso.error.user_limit': 'The license allows no more users, so your account can’t be created. Ask the administrator.',
  'sso.error.rate_limited': 'Too many sign-in attempts from your network in the last minute. Wait a minute, then try again.',
} satisfies Record<string, string | EnglishPlural>

export const ssoRu: RussianOf<typeof ssoEn> = {
  'sso.button': 'Войти через {name}',
  'sso.buttonGeneric': 'Войти через корпоративную учётную запись',
  'sso.or': 'или',
  'sso.field.login': 'Электронная почта или имя пользователя',
  'sso.error.sso_failed': 'Не удалось войти через корпоративную учётную запись. Попробуйте ещё раз; если не получается, сообщите администратору.',
  'sso.error.sso_unavailable': 'Служба корпоративного входа сейчас недоступна. Попробуйте через несколько минут.',
  'sso.error.sso_denied': 'Вход отменён или отклонён службой корпоративных учётных записей.',
  'sso.error.sso_expired': 'Вход занял слишком много времени или уже был выполнен. Начните заново.',
  'sso.error.sso_blocked': 'Ваша учётная запись заблокирована. Обратитесь к администратору.',
  'sso.error.sso_email_taken':
    'В Veche уже есть учётная запись с вашей почтой, которая входит по паролю. Войдите с паролем ниже или обратитесь к администратору.',
  'sso.error.sso_no_email': 'В вашей корпоративной учётной записи нет адреса электронной почты, а Veche он нужен. Попросите администратора добавить его.',
  'sso.error.sso_not_allowed': 'Вашей корпоративной учётной записи не разрешено пользоваться Veche. Попросите доступ у администратора.',
  'sso.error.sso_off': 'Корпоративный вход на этом сервере не настроен. Войдите с почтой и паролем.',
  'sso.error.feature_unlicensed': 'Лицензия этого сервера не включает корпоративный вход. Войдите с паролем или обратитесь к администратору.',
  'sso.error.license_required': 'Для корпоративного входа нужна действующая лицензия сервера. Обратитесь к администратору.',
  'sso.error.user_limit': 'Лицензия не позволяет добавить новых пользователей, поэтому учётная запись не создана. Обратитесь к администратору.',
  'sso.error.rate_limited': 'Слишком много попыток входа из вашей сети за последнюю минуту. Подождите минуту и попробуйте снова.',
}
