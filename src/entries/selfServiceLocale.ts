import type { LocaleBundle } from '../i18n';

/** The entrant's own page: correcting one's details, and the one-time sign-in link by email. */
export const selfServiceLocale: LocaleBundle = {
  vi: {
    'entries.my.entryDetails': 'Sửa bài dự thi',
    'entries.my.yourEntries': 'Các bài dự thi của bạn trong cuộc thi này',
    'entries.my.orByCode': 'Tra cứu bằng mã bài dự thi',
    'entries.my.toFirstError': 'Đến mục cần sửa',
    'entries.details.title': 'Thông tin của bạn',
    'entries.details.save': 'Lưu thông tin',
    'entries.details.saved': 'Đã lưu thông tin của bạn.',
    'entries.details.nationalId.keep': 'Đang lưu: {masked}. Để trống nếu không đổi.',
    'entries.details.contactHint': 'Cần ít nhất email hoặc số điện thoại. Đường dẫn riêng của bạn vẫn dùng được sau khi đổi.',
    'entries.details.mail.subject': '[{contest}] Email của bài dự thi {code} đã được thay đổi',
    'entries.details.mail.body':
      'Chào {name},\n\nEmail liên hệ của bài dự thi {code} ({contest}) vừa được đổi sang một địa chỉ khác trên trang bài dự thi của bạn.\n\nNếu không phải bạn thực hiện, vui lòng báo ngay cho Ban tổ chức.',
    'entries.signIn.title': 'Nhận đường dẫn đăng nhập qua email',
    'entries.signIn.intro': 'Quên mã bài dự thi? Nhập email bạn đã dùng khi gửi bài, chúng tôi sẽ gửi một đường dẫn dùng một lần, có hiệu lực {minutes} phút.',
    'entries.signIn.email': 'Email đã dùng khi gửi bài',
    'entries.signIn.code': 'Mã bài dự thi (không bắt buộc)',
    'entries.signIn.send': 'Gửi đường dẫn',
    'entries.signIn.sentTitle': 'Hãy kiểm tra hộp thư',
    'entries.signIn.sent':
      'Nếu email {email} đã được dùng để gửi bài cho cuộc thi này, bạn sẽ nhận được một đường dẫn đăng nhập trong vài phút. Đường dẫn chỉ dùng được một lần và hết hạn sau {minutes} phút. Hãy xem cả thư mục Spam.',
    'entries.signIn.back': 'Quay lại trang tra cứu',
    'entries.signIn.confirmTitle': 'Mở bài dự thi của bạn',
    'entries.signIn.confirm': 'Đường dẫn này chỉ dùng được một lần. Bấm nút bên dưới để mở bài dự thi của bạn trên trình duyệt này.',
    'entries.signIn.open': 'Mở bài dự thi của tôi',
    'entries.signIn.usedTitle': 'Đường dẫn đã được dùng hoặc đã hết hạn',
    'entries.signIn.used': 'Mỗi đường dẫn đăng nhập chỉ dùng được một lần và trong {minutes} phút. Bạn có thể xin một đường dẫn mới.',
    'entries.signIn.again': 'Xin đường dẫn mới',
    'entries.signIn.mail.subject': '[{contest}] Đường dẫn xem bài dự thi của bạn',
    'entries.signIn.mail.body':
      'Chào bạn,\n\nBạn (hoặc ai đó) vừa xin đường dẫn để xem bài dự thi của mình trong cuộc thi {contest}.\n\nMở đường dẫn sau để xem, sửa hoặc rút bài (chỉ dùng được một lần, hết hạn sau {minutes} phút):\n{link}\n\nNếu bạn không yêu cầu, hãy bỏ qua thư này. Vui lòng không chia sẻ đường dẫn.',
  },
  en: {
    'entries.my.entryDetails': 'Correct the entry',
    'entries.my.yourEntries': 'Your entries in this contest',
    'entries.my.orByCode': 'Find an entry by its code',
    'entries.my.toFirstError': 'Go to the first one',
    'entries.details.title': 'Your details',
    'entries.details.save': 'Save my details',
    'entries.details.saved': 'Your details have been saved.',
    'entries.details.nationalId.keep': 'On file: {masked}. Leave empty to keep it.',
    'entries.details.contactHint': 'An email address or a phone number is needed. Your private link keeps working after a change.',
    'entries.details.mail.subject': '[{contest}] The email of entry {code} was changed',
    'entries.details.mail.body':
      'Hello {name},\n\nThe contact email of entry {code} ({contest}) was just changed to another address on your entry page.\n\nIf this was not you, please tell the organisers at once.',
    'entries.signIn.title': 'Get a sign-in link by email',
    'entries.signIn.intro': 'Lost your entry code? Give the email you used when you sent your entry and we will send you a link that works once, for {minutes} minutes.',
    'entries.signIn.email': 'Email used for the entry',
    'entries.signIn.code': 'Entry code (optional)',
    'entries.signIn.send': 'Send me a link',
    'entries.signIn.sentTitle': 'Check your inbox',
    'entries.signIn.sent':
      'If {email} was used to send an entry to this contest, a sign-in link is on its way. It works once and expires after {minutes} minutes. Look in the spam folder too.',
    'entries.signIn.back': 'Back to the look-up page',
    'entries.signIn.confirmTitle': 'Open your entry',
    'entries.signIn.confirm': 'This link works only once. Press the button to open your entry in this browser.',
    'entries.signIn.open': 'Open my entry',
    'entries.signIn.usedTitle': 'This link was already used or has expired',
    'entries.signIn.used': 'Each sign-in link works once and for {minutes} minutes. You can ask for a new one.',
    'entries.signIn.again': 'Ask for a new link',
    'entries.signIn.mail.subject': '[{contest}] Your link to your entry',
    'entries.signIn.mail.body':
      'Hello,\n\nYou (or someone) asked for a link to see your entry in {contest}.\n\nOpen this link to see, correct or withdraw it (it works once and expires after {minutes} minutes):\n{link}\n\nIf you did not ask for it, ignore this mail. Please do not share the link.',
  },
};
